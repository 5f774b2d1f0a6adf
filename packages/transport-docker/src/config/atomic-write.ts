// Writes a small file so that readers see either the old content or the new one, never a mix:
// a temporary file in the same directory, flushed, then renamed over the target.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { IoError } from '@skopeo-ts/core';

export interface AtomicWriteOptions {
  /** Mode of the written file (default 0o600). */
  mode?: number;
  /** Mode of parent directories created on the way (default 0o700). */
  dirMode?: number;
}

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = path.dirname(file);
  try {
    await fs.mkdir(dir, { recursive: true, mode: options.dirMode ?? 0o700 });
  } catch (error) {
    throw new IoError('creating directory', dir, error);
  }
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', mode);
    // The umask may have taken bits away; the mode asked for is the mode wanted.
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new IoError('writing', file, error);
  }
}
