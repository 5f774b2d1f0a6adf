// The cross-process lock on a layout's index.json (`index.json.lock`), so concurrent writers
// (and deletes) never lose each other's entries in the read-modify-write of index.json (skopeo
// has no such lock, #1018). The lock itself (stale-lock detection, heartbeat, backoff) is
// @skopeo-ts/file-lock; this names its file and what it guards.
import { join } from 'node:path';
import { acquireFileLock, type FileLockOptions, type ReleaseLock, withFileLock } from '@skopeo-ts/file-lock';
import { LOCK_FILE } from './paths.js';

export { DEFAULT_LOCK_TIMEOUT_MS, STALE_LOCK_MS } from '@skopeo-ts/file-lock';

export type LockOptions = Pick<FileLockOptions, 'signal' | 'timeoutMs' | 'staleMs' | 'debug'>;

function lockPath(layoutDir: string): string {
  return join(layoutDir, LOCK_FILE);
}

/** Runs `critical` while holding the layout's lock; the lock is released even when it throws. */
export function withLayoutLock<T>(
  layoutDir: string,
  critical: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  return withFileLock(lockPath(layoutDir), critical, { ...options, subject: 'this layout' });
}

/** Acquires the lock (waiting with backoff) and returns the function that releases it. */
export function acquireLayoutLock(layoutDir: string, options: LockOptions = {}): Promise<ReleaseLock> {
  return acquireFileLock(lockPath(layoutDir), { ...options, subject: 'this layout' });
}
