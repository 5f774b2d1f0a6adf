// The lock a writer holds while it commits into a dir: directory, so that two commits (from this
// process or another) never interleave: each one replaces the image whole, and the last one wins.
// Writers only take it for the commit itself; blobs are written beforehand, unlocked, into each
// writer's private staging directory.
//
// The lock is a file created with O_EXCL (`.skopeo-ts-lock`) holding its owner's host, pid and a
// token; the owner touches it every few seconds while it holds it. It is stale when its owner is
// known to be dead (same host, pid gone) or it has not been touched for STALE_LOCK_MS. A stale
// lock is moved aside with rename() and checked to be the very file judged stale (same inode)
// before it is removed, so two waiters cannot both break it and then remove each other's fresh one.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, type Context, IoError, SkopeoError, throwIfAborted } from '@skopeo-ts/core';
import { errorCode, processIsAlive, tempPath } from './io.js';
import { LOCK_FILE, TEMP_HOST } from './layout.js';

export interface DirLockOptions {
  signal?: AbortSignal | undefined;
  /** Give up after this long (default 2 minutes). */
  timeoutMs?: number;
  /** Consider a lock stale after this long without a heartbeat (default 30 s). */
  staleMs?: number;
  debug?: Context['debug'];
}

export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;
export const STALE_LOCK_MS = 30_000;
const HEARTBEAT_MS = 3_000;
const FIRST_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

interface LockOwner {
  host: string;
  pid: number;
  acquiredAt: string;
  token: string;
}

interface HolderInfo {
  ino: number;
  mtimeMs: number;
  owner: Partial<LockOwner> | undefined;
}

/** Runs `critical` while holding the directory's lock; the lock is released even when it throws. */
export async function withDirLock<T>(
  dir: string,
  critical: () => Promise<T>,
  options: DirLockOptions = {},
): Promise<T> {
  const release = await acquireDirLock(dir, options);
  try {
    return await critical();
  } finally {
    await release();
  }
}

/** Acquires the lock (waiting with backoff) and returns the function that releases it. */
export async function acquireDirLock(
  dir: string,
  options: DirLockOptions = {},
): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? STALE_LOCK_MS;
  const started = Date.now();
  const owner: LockOwner = {
    host: TEMP_HOST,
    pid: process.pid,
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  let delay = FIRST_DELAY_MS;
  for (;;) {
    throwIfAborted(options.signal);
    if (await tryCreate(path, owner)) return startHolding(path, owner);
    const holder = await inspectLock(path);
    if (holder !== undefined && isStale(holder, staleMs)) {
      options.debug?.(`dir: breaking the stale lock ${path} (${describeHolder(holder)})`);
      await breakStaleLock(dir, path, holder.ino);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new SkopeoError(
        'CONFLICT',
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${path}` +
          (holder === undefined ? '' : `, held by ${describeHolder(holder)}`),
        { hint: `if no other process is writing to this directory, remove ${path}` },
      );
    }
    await sleep(delay + Math.random() * delay, options.signal);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
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
  if (owner?.host === TEMP_HOST && typeof owner.pid === 'number' && owner.pid !== process.pid) {
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
async function breakStaleLock(dir: string, path: string, staleIno: number): Promise<void> {
  const aside = tempPath(dir, 'stalelock');
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
function startHolding(path: string, owner: LockOwner): () => Promise<void> {
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

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('waiting for the directory lock was aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('waiting for the directory lock was aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
