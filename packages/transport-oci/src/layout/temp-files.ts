// Temp files: how they are named, written and published, and how stale ones are found.
// A temp file's name carries the host and pid of its writer, so a later writer on the same host
// can tell that the process that made it is gone (killed with SIGKILL mid-copy) and remove it.
import { randomBytes } from 'node:crypto';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processIsAlive } from '@skopeo-ts/file-lock';
import { io } from './errors.js';
import { SKOPEO_TEMP_PREFIX, TEMP_PREFIX } from './paths.js';

/** Other writers' temp files are left alone unless their process is gone or they are this old. */
export const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

const HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_');

/** A fresh temp file name: `.skopeo-ts-tmp-<host>-<pid>-<random>`. */
export function tempName(): string {
  return `${TEMP_PREFIX}${HOST}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) || name.startsWith(SKOPEO_TEMP_PREFIX);
}

/** The writer of one of our temp files is known to be gone (same host, pid not running). */
function writerIsGone(name: string): boolean {
  if (!name.startsWith(`${TEMP_PREFIX}${HOST}-`)) return false;
  const pid = Number.parseInt(name.slice(TEMP_PREFIX.length + HOST.length + 1), 10);
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !processIsAlive(pid);
}

/**
 * Removes temp files left in `dir` by writers that died: ours whose process is gone, and any
 * (ours or skopeo's) untouched for STALE_TEMP_MS. Best effort: a failure here never fails a copy.
 */
export async function removeStaleTempFiles(dir: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names.filter(isTempName)) {
    const path = join(dir, name);
    try {
      const stats = await stat(path);
      if (!stats.isFile()) continue;
      if (writerIsGone(name) || now - stats.mtimeMs > STALE_TEMP_MS) {
        await rm(path, { force: true });
        removed.push(path);
      }
    } catch {
      // raced with its owner or another cleaner: fine
    }
  }
  return removed;
}

/** Writes small bytes to a new temp file in `dir`, synced to disk; returns its path. */
export async function writeTempFile(dir: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, tempName());
  await io('writing', path, async () => {
    const handle = await open(path, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
  return path;
}

/** Makes a rename durable: fsync the directory (not possible everywhere; then skipped). */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // some file systems refuse fsync on directories; the rename itself is still atomic
  }
}
