import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acquireFileLock,
  DEFAULT_LOCK_TIMEOUT_MS,
  HEARTBEAT_MS,
  type LockOwner,
  processIsAlive,
  STALE_LOCK_MS,
  withFileLock,
} from '../src/index.js';
import { deadPid, rejectsWith, sleep, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/** A temp dir and the path of a lock file in it. */
async function lockInTempDir(): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  return { dir, path: join(dir, 'the.lock') };
}

async function writeOwner(path: string, owner: Partial<LockOwner>, ageMs = 0): Promise<void> {
  await writeFile(path, JSON.stringify(owner));
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
  }
}

describe('the file lock', () => {
  it('serializes critical sections of async callers and is released after each (also on errors)', async () => {
    const { dir, path } = await lockInTempDir();
    let inside = 0;
    let maxInside = 0;
    let failures = 0;
    const section = async (fail: boolean) => {
      await withFileLock(path, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await sleep(5);
        inside--;
        if (fail) throw new Error('boom');
      }).catch((error: Error) => {
        expect(error.message).toBe('boom');
        failures++;
      });
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => section(i % 3 === 0)));
    expect(maxInside).toBe(1);
    expect(failures).toBe(4);
    expect(await readdir(dir)).toEqual([]);
  });

  it('returns what the critical section returns', async () => {
    const { path } = await lockInTempDir();
    expect(await withFileLock(path, async () => 42)).toBe(42);
  });

  it('records its owner in the lock file and removes it on release; a second release does nothing', async () => {
    const { dir, path } = await lockInTempDir();
    const release = await acquireFileLock(path);
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    expect(owner).toMatchObject({ host: hostname(), pid: process.pid });
    expect(owner.token).toMatch(/^[0-9a-f]{16}$/);
    expect(Number.isNaN(Date.parse(owner.acquiredAt))).toBe(false);
    await release();
    expect(await readdir(dir)).toEqual([]);
    await writeOwner(path, { host: 'other-host', pid: 1, token: 'theirs' });
    await release();
    expect(await readdir(dir)).toEqual(['the.lock']);
  });

  it('does not remove a lock that is no longer its own when released', async () => {
    const { path } = await lockInTempDir();
    const release = await acquireFileLock(path);
    // Broken as stale by someone else, who holds it now.
    await writeOwner(path, { host: 'other-host', pid: 1, token: 'theirs' });
    await release();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: 'theirs' });
  });

  it('gets the lock as soon as a live holder releases it', async () => {
    const { path } = await lockInTempDir();
    const release = await acquireFileLock(path);
    let acquired = false;
    const waiting = withFileLock(path, async () => {
      acquired = true;
    });
    await sleep(100);
    expect(acquired).toBe(false);
    await release();
    await waiting;
    expect(acquired).toBe(true);
  });

  it('keeps a held lock fresh with a heartbeat, so it is not judged stale', async () => {
    const { path } = await lockInTempDir();
    const release = await acquireFileLock(path);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(path, longAgo, longAgo);
    await sleep(HEARTBEAT_MS + 500);
    expect(Date.now() - (await stat(path)).mtimeMs).toBeLessThan(HEARTBEAT_MS + 1000);
    await release();
  }, 10_000);
});

describe('stale locks', () => {
  it('breaks a lock whose owner died (same host, pid gone) at once', async () => {
    const { dir, path } = await lockInTempDir();
    await writeOwner(path, { host: hostname(), pid: await deadPid(), acquiredAt: 'then', token: 'dead' });
    const started = Date.now();
    const debug: string[] = [];
    await withFileLock(path, async () => {}, { debug: (message) => debug.push(message) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(debug).toEqual([expect.stringContaining(`breaking the stale lock ${path}`)]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for a lock whose owner runs (same host, live pid)', async () => {
    const { path } = await lockInTempDir();
    await writeOwner(path, { host: hostname(), pid: process.ppid, token: 'live' });
    const error = await rejectsWith(acquireFileLock(path, { timeoutMs: 100 }), 'CONFLICT');
    expect(error.message).toContain(`pid ${process.ppid} on ${hostname()}`);
  });

  it('does not judge a pid on another host: only the heartbeat counts there', async () => {
    const { path } = await lockInTempDir();
    await writeOwner(path, { host: 'other-host', pid: await deadPid(), token: 'elsewhere' });
    await rejectsWith(acquireFileLock(path, { timeoutMs: 100 }), 'CONFLICT');
  });

  it('breaks a lock nobody touched for longer than the stale time, whoever holds it', async () => {
    const { dir, path } = await lockInTempDir();
    await writeOwner(path, { host: 'other-host', pid: 1, acquiredAt: 'then', token: 'old' }, 60_000);
    await withFileLock(path, async () => {}, { staleMs: 30_000 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('judges a lock it cannot read by its age alone', async () => {
    const { dir, path } = await lockInTempDir();
    await writeFile(path, '{"host":"half-writ');
    const error = await rejectsWith(acquireFileLock(path, { timeoutMs: 100 }), 'CONFLICT');
    expect(error.message).toContain('held by an unknown process');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(path, longAgo, longAgo);
    await withFileLock(path, async () => {});
    expect(await readdir(dir)).toEqual([]);
  });

  it('moves a stale lock aside to the given path before removing it', async () => {
    const { dir, path } = await lockInTempDir();
    await writeOwner(path, { host: 'other-host', pid: 1, token: 'old' }, 60_000);
    const asides: string[] = [];
    const stalePath = () => {
      const aside = join(dir, `.ours-stale-${asides.length}`);
      asides.push(aside);
      return aside;
    };
    await withFileLock(path, async () => {}, { stalePath });
    expect(asides).toEqual([join(dir, '.ours-stale-0')]);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('giving up', () => {
  it('times out with CONFLICT naming the file and its holder, and a hint', async () => {
    const { path } = await lockInTempDir();
    await writeOwner(path, { host: 'other-host', pid: 4242, acquiredAt: '2024-01-01T00:00:00Z', token: 'x' });
    const started = Date.now();
    const error = await rejectsWith(acquireFileLock(path, { timeoutMs: 300 }), 'CONFLICT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(error.message).toBe(
      `timed out after 0 s waiting for the lock ${path}, held by pid 4242 on other-host since 2024-01-01T00:00:00Z`,
    );
    expect(error.hint).toBe(`if no other process is writing to this directory, remove ${path}`);
    const named = await rejectsWith(
      acquireFileLock(path, { timeoutMs: 50, subject: 'this layout' }),
      'CONFLICT',
    );
    expect(named.hint).toBe(`if no other process is writing to this layout, remove ${path}`);
  });

  it('stops waiting when aborted', async () => {
    const { path } = await lockInTempDir();
    const release = await acquireFileLock(path);
    const controller = new AbortController();
    const waiting = withFileLock(path, async () => {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await rejectsWith(waiting, 'ABORTED');
    expect(error.message).toBe(`waiting for the lock ${path} was aborted`);
    await release();
  });

  it('does not even try when the signal has fired already, and passes the reason on', async () => {
    const { dir, path } = await lockInTempDir();
    const error = await rejectsWith(
      withFileLock(path, async () => {}, { signal: AbortSignal.abort(new Error('shutting down')) }),
      'ABORTED',
    );
    expect(error.message).toBe(`waiting for the lock ${path} was aborted: shutting down`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with IO naming the file when it cannot be created', async () => {
    const { dir } = await lockInTempDir();
    const path = join(dir, 'missing', 'the.lock');
    const error = await rejectsWith(acquireFileLock(path), 'IO');
    expect(error.message).toContain(`creating the lock ${path}`);
  });
});

describe('the exports', () => {
  it('has the defaults the transports document', () => {
    expect(DEFAULT_LOCK_TIMEOUT_MS).toBe(120_000);
    expect(STALE_LOCK_MS).toBe(30_000);
    expect(HEARTBEAT_MS).toBe(3_000);
  });

  it('processIsAlive tells a running process from one that has exited', async () => {
    expect(processIsAlive(process.pid)).toBe(true);
    expect(processIsAlive(process.ppid)).toBe(true);
    expect(processIsAlive(await deadPid())).toBe(false);
  });
});
