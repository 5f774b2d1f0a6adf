// The layout lock is @skopeo-ts/file-lock (tested there) on index.json.lock: what is checked here
// is that file, the exports, and what its errors say.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acquireLayoutLock,
  DEFAULT_LOCK_TIMEOUT_MS,
  LOCK_FILE,
  STALE_LOCK_MS,
  withLayoutLock,
} from '../src/index.js';
import { expectSkopeoError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('the layout lock', () => {
  it('is index.json.lock in the layout, recording its owner, removed on release', async () => {
    const dir = await tempDir();
    expect(LOCK_FILE).toBe('index.json.lock');
    const release = await acquireLayoutLock(dir);
    const owner = JSON.parse(await readFile(join(dir, 'index.json.lock'), 'utf8')) as Record<string, unknown>;
    expect(owner).toMatchObject({ host: hostname(), pid: process.pid });
    await release();
    expect(await readdir(dir)).toEqual([]);
    expect(await withLayoutLock(dir, async () => readdir(dir))).toEqual(['index.json.lock']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('times out with CONFLICT naming the file, its holder and the layout', async () => {
    const dir = await tempDir();
    const path = join(dir, 'index.json.lock');
    await writeFile(path, JSON.stringify({ host: 'other-host', pid: 4242, acquiredAt: 'then', token: 'x' }));
    const error = await expectSkopeoError(
      withLayoutLock(dir, async () => {}, { timeoutMs: 100 }),
      'CONFLICT',
    );
    expect(error.message).toContain(path);
    expect(error.message).toContain('pid 4242 on other-host');
    expect((error as Error & { hint?: string }).hint).toBe(
      `if no other process is writing to this layout, remove ${path}`,
    );
  });

  it('exports the defaults', () => {
    expect(DEFAULT_LOCK_TIMEOUT_MS).toBe(120_000);
    expect(STALE_LOCK_MS).toBe(30_000);
  });
});
