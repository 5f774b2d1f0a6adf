// containers/storage's lock files: POSIX record locks (fcntl F_SETLK on the whole file, not
// flock, which does not conflict with them) plus a 64-byte "last writer" token that a writer
// rewrites before it changes what the lock covers. Node has no fcntl, hence the fs-ext addon.
// POSIX locks belong to the process (and closing any fd of the file drops them), so lockers in
// this process take turns first (readers together, writers alone) and readers share one fd.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { AbortedError, IoError, isSkopeoError, throwIfAborted } from '@skopeo-ts/core';
import { loadFsExt } from '../native-addons.js';
import { takeTurn } from './shared-exclusive.js';

export type LockKind = 'read' | 'write';

const RETRY_MS = 10;
let tokenCounter = 0n;

/**
 * This process's hold of one lock file: one fd and one fcntl lock, shared by every in-process
 * reader (closing a second fd would drop the lock for all of them).
 */
interface OsHold {
  handle: Promise<FileHandle>;
  users: number;
}

const readHolds = new Map<string, OsHold>();
/**
 * The last reader's unlock-and-close of a hold, while it runs: a new hold opened meanwhile would
 * lose its lock when that fd closes (readers take turns together, so nothing else stops it).
 */
const closingHolds = new Map<string, Promise<void>>();

function tryFcntl(fd: number, type: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    loadFsExt().fcntl(fd, 'setlk', type, (error) => {
      if (error === null || error === undefined) resolve(true);
      else if (error.code === 'EAGAIN' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
  });
}

/** The 64-byte token: time (ns, LE), counter (LE), pid (LE), 44 random bytes. */
export function newLastWriterToken(): Buffer {
  const token = Buffer.alloc(64);
  token.writeBigUInt64LE(process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n, 0);
  tokenCounter += 1n;
  token.writeBigUInt64LE(tokenCounter, 8);
  token.writeUInt32LE(process.pid, 16);
  randomBytes(44).copy(token, 20);
  return token;
}

export class HeldLock {
  #released = false;

  constructor(
    readonly path: string,
    readonly kind: LockKind,
    private readonly handle: FileHandle,
    private readonly leave: () => Promise<void>,
  ) {}

  /** Announces a change to what the lock covers: call before writing the files it guards. */
  async recordWrite(): Promise<void> {
    if (this.kind !== 'write') throw new Error(`recordWrite on a read lock of ${this.path}`);
    await this.handle.write(newLastWriterToken(), 0, 64, 0);
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.leave();
  }
}

/** Opens the lock file (created 0644, as containers/storage does) and waits for the fcntl lock. */
async function openLocked(path: string, kind: LockKind, signal?: AbortSignal): Promise<FileHandle> {
  const { constants } = loadFsExt();
  const handle = await open(path, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
  try {
    const type = kind === 'write' ? constants.F_WRLCK : constants.F_RDLCK;
    while (!(await tryFcntl(handle.fd, type))) {
      if (signal?.aborted) throw new AbortedError(`waiting for the lock ${path}`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function unlockAndClose(handle: FileHandle): Promise<void> {
  try {
    await tryFcntl(handle.fd, loadFsExt().constants.F_UNLCK);
  } finally {
    await handle.close();
  }
}

/**
 * Locks `path` for reading (shared with other readers, here and in other processes) or writing
 * (alone), waiting for other processes and for other holders in this one. `signal` stops the
 * wait for other processes.
 */
export async function lockFile(path: string, kind: LockKind, signal?: AbortSignal): Promise<HeldLock> {
  throwIfAborted(signal);
  const leaveTurn = await takeTurn(path, kind);
  try {
    if (kind === 'write') {
      const handle = await openLocked(path, kind, signal);
      return new HeldLock(path, kind, handle, async () => {
        try {
          await unlockAndClose(handle);
        } finally {
          leaveTurn();
        }
      });
    }
    let hold = readHolds.get(path);
    while (hold === undefined && closingHolds.has(path)) {
      await closingHolds.get(path);
      hold = readHolds.get(path);
    }
    if (hold === undefined) {
      const created: OsHold = { handle: openLocked(path, kind, signal), users: 0 };
      readHolds.set(path, created);
      created.handle.catch(() => {
        if (readHolds.get(path) === created) readHolds.delete(path);
      });
      hold = created;
    }
    const shared = hold;
    shared.users++;
    let handle: FileHandle;
    try {
      handle = await shared.handle;
    } catch (error) {
      shared.users--;
      throw error;
    }
    return new HeldLock(path, kind, handle, async () => {
      shared.users--;
      try {
        if (shared.users === 0) {
          if (readHolds.get(path) === shared) readHolds.delete(path);
          const closing = unlockAndClose(handle);
          const settled: Promise<void> = closing
            .catch(() => undefined)
            .finally(() => {
              if (closingHolds.get(path) === settled) closingHolds.delete(path);
            });
          closingHolds.set(path, settled);
          await closing;
        }
      } finally {
        leaveTurn();
      }
    });
  } catch (error) {
    leaveTurn();
    if (isSkopeoError(error)) throw error;
    throw new IoError('lock', path, error);
  }
}

/** Runs `work` holding the lock, and releases it whatever happens. */
export async function withLock<T>(
  path: string,
  kind: LockKind,
  work: (lock: HeldLock) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const lock = await lockFile(path, kind, signal);
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}
