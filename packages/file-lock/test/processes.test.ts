// Real processes taking one lock: the children run the built package (dist/), as a CLI would.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireFileLock, withFileLock } from '../src/index.js';
import { rejectsWith, sleep, useTempDirs } from './helpers.js';

const CHILD = fileURLToPath(new URL('./children/lock.mjs', import.meta.url));
const tempDir = useTempDirs();

interface Child {
  process: ChildProcessByStdio<Writable, Readable, Readable>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when the child has printed `marker`. */
  printed(marker: string): Promise<void>;
}

function spawnChild(job: Record<string, unknown>): Child {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  const printed = async (marker: string) => {
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!stdout.includes(marker)) {
      if (done) throw new Error(`the child exited before printing ${marker}: ${stderr}`);
      await sleep(5);
    }
  };
  return { process: child, exited, printed };
}

describe('processes taking one lock', () => {
  it('serializes their critical sections: no two inside at once, no update lost', async () => {
    const dir = await tempDir();
    const path = join(dir, 'the.lock');
    const counter = join(dir, 'counter');
    const marker = join(dir, 'inside');
    const processes = 4;
    const rounds = 10;
    const children = Array.from({ length: processes }, () =>
      spawnChild({ mode: 'count', path, counter, marker, rounds }),
    );
    // This process takes turns too.
    for (let round = 0; round < rounds; round++) {
      await withFileLock(path, async () => {
        const count = Number(await readFile(counter, 'utf8').catch(() => '0'));
        await sleep(2);
        await writeFile(counter, String(count + 1));
      });
    }
    const exits = await Promise.all(children.map((child) => child.exited));
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });
    expect(Number(await readFile(counter, 'utf8'))).toBe((processes + 1) * rounds);
    expect((await readdir(dir)).sort()).toEqual(['counter']);
  });

  it('waits while another process holds the lock, and gets it when that one releases it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'the.lock');
    const holder = spawnChild({ mode: 'hold', path });
    await holder.printed('locked');
    await rejectsWith(acquireFileLock(path, { timeoutMs: 200 }), 'CONFLICT');
    let acquired = false;
    const waiting = withFileLock(path, async () => {
      acquired = true;
    });
    await sleep(100);
    expect(acquired).toBe(false);
    holder.process.stdin.end();
    await waiting;
    expect(acquired).toBe(true);
    expect(await holder.exited).toMatchObject({ code: 0 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks the lock of a holder killed with SIGKILL at once, without waiting for it to go stale', async () => {
    const dir = await tempDir();
    const path = join(dir, 'the.lock');
    const holder = spawnChild({ mode: 'hold', path });
    await holder.printed('locked');
    holder.process.kill('SIGKILL');
    expect(await holder.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await readdir(dir)).toEqual(['the.lock']);
    const started = Date.now();
    await withFileLock(path, async () => {}, { timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await readdir(dir)).toEqual([]);
  });
});
