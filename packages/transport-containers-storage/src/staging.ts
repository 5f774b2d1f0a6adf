// Where a destination stages blobs: a directory per destination, named with our pid so that the
// next destination can remove what a killed process (kill -9) left behind.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const PREFIX = 'skopeo-ts-storage-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes staging directories of processes that no longer exist; never fails. */
async function removeAbandoned(base: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^skopeo-ts-storage-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) {
      await rm(join(base, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

export async function makeStagingDirectory(base: string): Promise<string> {
  await removeAbandoned(base);
  return mkdtemp(join(base, `${PREFIX}${process.pid}-`));
}
