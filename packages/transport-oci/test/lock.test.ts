import { spawn } from 'node:child_process';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLayoutLock, withLayoutLock } from '../src/index.js';
import { expectSkopeoError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pid that is certainly not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 999_999;
}

describe('the layout lock', () => {
  it('serializes critical sections and is released after each (also on errors)', async () => {
    const dir = await tempDir();
    let inside = 0;
    let maxInside = 0;
    const section = async (fail: boolean) => {
      await withLayoutLock(dir, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await sleep(5);
        inside--;
        if (fail) throw new Error('boom');
      }).catch((error: Error) => expect(error.message).toBe('boom'));
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => section(i % 3 === 0)));
    expect(maxInside).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('records its owner in the lock file', async () => {
    const dir = await tempDir();
    const release = await acquireLayoutLock(dir);
    const owner = JSON.parse(await readFile(join(dir, 'index.json.lock'), 'utf8')) as Record<string, unknown>;
    expect(owner).toMatchObject({ host: hostname(), pid: process.pid });
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks a lock whose owner died (same host, pid gone)', async () => {
    const dir = await tempDir();
    const pid = await deadPid();
    await writeFile(
      join(dir, 'index.json.lock'),
      JSON.stringify({ host: hostname(), pid, acquiredAt: 'then', token: 'x' }),
    );
    const started = Date.now();
    await withLayoutLock(dir, async () => {});
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('breaks a lock nobody touched for longer than the stale time', async () => {
    const dir = await tempDir();
    const path = join(dir, 'index.json.lock');
    await writeFile(path, JSON.stringify({ host: 'other-host', pid: 1, acquiredAt: 'then', token: 'x' }));
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    await withLayoutLock(dir, async () => {}, { staleMs: 30_000 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for a live holder and times out with a message naming it and the file', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'index.json.lock'),
      JSON.stringify({ host: 'other-host', pid: 4242, acquiredAt: '2024-01-01T00:00:00Z', token: 'x' }),
    );
    const error = await expectSkopeoError(
      withLayoutLock(dir, async () => {}, { timeoutMs: 300 }),
      'CONFLICT',
    );
    expect(error.message).toContain(join(dir, 'index.json.lock'));
    expect(error.message).toContain('pid 4242 on other-host');
  });

  it('gets the lock as soon as a live holder releases it', async () => {
    const dir = await tempDir();
    const release = await acquireLayoutLock(dir);
    let acquired = false;
    const waiting = withLayoutLock(dir, async () => {
      acquired = true;
    });
    await sleep(100);
    expect(acquired).toBe(false);
    await release();
    await waiting;
    expect(acquired).toBe(true);
  });

  it('stops waiting when aborted', async () => {
    const dir = await tempDir();
    const release = await acquireLayoutLock(dir);
    const controller = new AbortController();
    const waiting = withLayoutLock(dir, async () => {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expectSkopeoError(waiting, 'ABORTED');
    await release();
  });
});
