// A cross-process lock on a layout's index.json, so concurrent writers (and deletes) never lose
// each other's entries in the read-modify-write of index.json (skopeo has no such lock, #1018).
//
// The lock is a file created with O_EXCL (`index.json.lock`), holding the owner's host, pid and
// start time; the owner touches it every few seconds while it holds the lock. It is stale when its
// owner is known to be dead (same host, pid gone) or it has not been touched for STALE_LOCK_MS.
// A stale lock is moved aside with rename() and checked to be the very file judged stale (same
// inode) before it is removed, so two waiters cannot both break the same lock and then remove each
// other's fresh one. No native addon: works on any local file system.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AbortedError, type Context, IoError, SkopeoError, throwIfAborted } from '@skopeo-ts/core';
import { errnoCode } from './errors.js';
import { LOCK_FILE } from './paths.js';
import { processIsAlive } from './temp-files.js';

export interface LockOptions {
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

export function lockPath(layoutDir: string): string {
  return join(layoutDir, LOCK_FILE);
}

/** Runs `critical` while holding the layout's lock; the lock is released even when it throws. */
export async function withLayoutLock<T>(
  layoutDir: string,
  critical: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const release = await acquireLayoutLock(layoutDir, options);
  try {
    return await critical();
  } finally {
    await release();
  }
}

/** Acquires the lock (waiting with backoff) and returns the function that releases it. */
export async function acquireLayoutLock(
  layoutDir: string,
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const path = lockPath(layoutDir);
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
    throwIfAborted(options.signal);
    if (await tryCreate(path, owner)) return startHolding(path, owner);
    const holder = await inspectLock(path);
    if (holder !== undefined && isStale(holder, staleMs)) {
      options.debug?.(`breaking stale lock ${path} (${describeHolder(holder)})`);
      await breakStaleLock(path, holder.ino);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new SkopeoError(
        'CONFLICT',
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${path}` +
          (holder === undefined ? '' : `, held by ${describeHolder(holder)}`),
        { hint: `if no other process is writing to this layout, remove ${path}` },
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
    if (errnoCode(error) === 'EEXIST') return false;
    throw new IoError('creating the lock', path, error);
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  return true;
}

interface HolderInfo {
  ino: number;
  mtimeMs: number;
  owner: Partial<LockOwner> | undefined;
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
async function breakStaleLock(path: string, staleIno: number): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
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
      reject(new AbortedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
