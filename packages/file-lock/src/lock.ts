// A cross-process lock file, for read-modify-write steps that no two processes may interleave
// (an OCI layout's index.json, a dir: image's commit).
//
// The lock is a file created with O_EXCL, holding its owner's host, pid, start time and a random
// token; the owner touches it every few seconds while it holds it. It is stale when its owner is
// known to be dead (same host, pid gone) or it has not been touched for `staleMs`. A stale lock is
// moved aside with rename() and checked to be the very file judged stale (same inode) before it
// is removed, so two waiters cannot both break it and then remove each other's fresh one. Release
// removes the file only while it still holds the owner's token. No native addon: works on any
// local file system.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { AbortedError, IoError, SkopeoError } from '@skopeo-ts/core';

export interface FileLockOptions {
  /** Stop waiting (ABORTED) when it fires; the lock, once held, is not affected. */
  signal?: AbortSignal | undefined;
  /** Give up (CONFLICT) after waiting this long; default DEFAULT_LOCK_TIMEOUT_MS (2 minutes). */
  timeoutMs?: number;
  /** Consider a lock stale after this long without a heartbeat; default STALE_LOCK_MS (30 s). */
  staleMs?: number;
  /** Told when a stale lock is broken, and whose it was. */
  debug?: ((message: string) => void) | undefined;
  /** What the lock guards, as the timeout's hint names it; default "this directory". */
  subject?: string;
  /**
   * A fresh path to move a stale lock to before it is removed; it must be on the lock's file
   * system. Default: `<lock path>.stale-<random>`. Give one your own cleanup recognises, should a
   * process die between the move and the removal.
   */
  stalePath?: () => string;
}

/** What a lock file holds, as JSON. */
export interface LockOwner {
  host: string;
  pid: number;
  /** ISO 8601 time the owner started waiting for the lock. */
  acquiredAt: string;
  /** Random: tells this owner's lock from a later one at the same path. */
  token: string;
}

/** Releases a held lock; calling it again does nothing. */
export type ReleaseLock = () => Promise<void>;

export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;
export const STALE_LOCK_MS = 30_000;
/** How often a holder touches its lock file. */
export const HEARTBEAT_MS = 3_000;
const FIRST_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

interface HolderInfo {
  ino: number;
  mtimeMs: number;
  owner: Partial<LockOwner> | undefined;
}

/** Runs `critical` while holding the lock file `path`; the lock is released even when it throws. */
export async function withFileLock<T>(
  path: string,
  critical: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const release = await acquireFileLock(path, options);
  try {
    return await critical();
  } finally {
    await release();
  }
}

/**
 * Acquires the lock file `path` (waiting with jittered backoff, breaking stale locks) and returns
 * the function that releases it. Its directory must exist.
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<ReleaseLock> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? STALE_LOCK_MS;
  const started = Date.now();
  const owner: LockOwner = {
    host: hostname(),
    pid: process.pid,
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  let delay = FIRST_DELAY_MS;
  for (;;) {
    if (options.signal?.aborted) throw abortedWaiting(path, options.signal);
    if (await tryCreate(path, owner)) return startHolding(path, owner);
    const holder = await inspectLock(path);
    if (holder !== undefined && isStale(holder, staleMs)) {
      options.debug?.(`breaking the stale lock ${path} (${describeHolder(holder)})`);
      await breakStaleLock(path, holder.ino, options.stalePath);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new SkopeoError(
        'CONFLICT',
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${path}` +
          (holder === undefined ? '' : `, held by ${describeHolder(holder)}`),
        { hint: `if no other process is writing to ${options.subject ?? 'this directory'}, remove ${path}` },
      );
    }
    await sleep(delay + Math.random() * delay, path, options.signal);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new IoError('creating the lock', path, error);
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(path, { force: true }).catch(() => {});
    throw new IoError('writing the lock', path, error);
  }
  await handle.close();
  return true;
}

async function inspectLock(path: string): Promise<HolderInfo | undefined> {
  try {
    const stats = await stat(path);
    let owner: Partial<LockOwner> | undefined;
    try {
      owner = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    } catch {
      owner = undefined; // being written right now, or garbage: judged by age alone
    }
    return { ino: stats.ino, mtimeMs: stats.mtimeMs, owner };
  } catch {
    return undefined; // released meanwhile: try again at once
  }
}

function isStale(holder: HolderInfo, staleMs: number): boolean {
  const { owner } = holder;
  if (owner?.host === hostname() && typeof owner.pid === 'number' && owner.pid !== process.pid) {
    if (!processIsAlive(owner.pid)) return true;
  }
  return Date.now() - holder.mtimeMs > staleMs;
}

function describeHolder(holder: HolderInfo): string {
  const { owner } = holder;
  if (owner === undefined) return 'an unknown process';
  return `pid ${owner.pid ?? '?'} on ${owner.host ?? '?'} since ${owner.acquiredAt ?? '?'}`;
}

/** Moves the stale lock aside and removes it, unless it was replaced by a fresh one meanwhile. */
async function breakStaleLock(
  path: string,
  staleIno: number,
  stalePath: (() => string) | undefined,
): Promise<void> {
  const aside = stalePath?.() ?? `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await stat(aside).catch(() => undefined);
  if (moved !== undefined && moved.ino !== staleIno) {
    // We took a fresh lock that replaced the stale one after we looked: put it back.
    await link(aside, path).catch(() => {});
  }
  await rm(aside, { force: true });
}

/** Keeps the lock fresh while held; the returned function releases it (only if still ours). */
function startHolding(path: string, owner: LockOwner): ReleaseLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    try {
      const current = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
      if (current.token === owner.token) await rm(path, { force: true });
    } catch {
      // gone already (broken as stale by someone else): nothing to release
    }
  };
}

function abortedWaiting(path: string, signal: AbortSignal): AbortedError {
  const { reason } = signal;
  // A reason other than AbortController's default one says why: pass it on.
  const why = reason instanceof Error && reason.name !== 'AbortError' ? `: ${reason.message}` : '';
  return new AbortedError(`waiting for the lock ${path} was aborted${why}`, { cause: reason });
}

function sleep(ms: number, path: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedWaiting(path, signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      if (signal !== undefined) reject(abortedWaiting(path, signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
