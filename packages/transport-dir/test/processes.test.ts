// Real processes: a copy killed with SIGKILL mid-blob, and several processes writing one directory
// at once. The children run the built package (dist/), as a CLI would.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirReference } from '../src/index.js';
import { buildFixtures, type Fixtures, snapshotDir, writeDirImage, writeDirIndex } from './helpers.js';

const CHILD_COPY = fileURLToPath(new URL('./children/copy.mjs', import.meta.url));

let f: Fixtures;
let n = 0;
const fresh = (name: string) => join(f.tmp.path, `${name}-${++n}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  f = await buildFixtures();
});
afterAll(() => f.tmp.cleanup());

interface ChildCopy {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when the child prints `marker`. */
  waitFor(marker: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function spawnCopy(
  jobs: { src: string; dest: string }[],
  options: { compress?: boolean; multiArch?: 'all' } = {},
): ChildCopy {
  const child = spawn(process.execPath, [CHILD_COPY, JSON.stringify({ jobs, ...options })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { marker: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of [...waiters]) {
      if (stdout.includes(waiter.marker)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    pid: child.pid ?? -1,
    exited,
    waitFor: (marker) =>
      stdout.includes(marker)
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({ marker, resolve });
            void exited.then(({ code }) =>
              reject(new Error(`child exited (${code}) before printing ${marker}: ${stderr}`)),
            );
          }),
    kill: (signal) => child.kill(signal),
  };
}

/** Blob files being written in the staging directories of `dir` (name relative to `dir`). */
async function growingStagedFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.includes('-stage-')) continue;
    for (const inner of await readdir(join(dir, name)).catch(() => [] as string[])) {
      const size = await stat(join(dir, name, inner)).then(
        (s) => s.size,
        () => 0,
      );
      if (size > 0) found.push(name);
    }
  }
  return found;
}

/** Every file of `dir` that is not ours (temp files, staging directories, the lock), hashed. */
async function imageFiles(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('.skopeo-ts-')) continue;
    snapshot[name] = createHash('sha256')
      .update(await readFile(join(dir, name)))
      .digest('hex');
  }
  return snapshot;
}

describe('an interrupted copy (kill -9 mid-blob)', () => {
  it('leaves the previous image whole; the next writer removes the dead one’s staging directory', async () => {
    const dest = fresh('dest');
    await writeDirImage(dest, f.single);
    const before = await snapshotDir(dest);
    // 96 MiB of incompressible data in an uncompressed layer: the destination gzips it on the fly,
    // which takes a few seconds, so the kill lands while the blob is being written.
    const built = await buildOciImage(join(f.tmp.path, 'big-layout'), {
      layers: [{ entries: [{ type: 'file', path: 'big.bin', size: 96 * 1024 * 1024 }], compression: 'none' }],
    });
    const big = fresh('big');
    await writeDirImage(big, built);

    const child = spawnCopy([{ src: big, dest }], { compress: true });
    await child.waitFor('progress');
    let partial: string[] = [];
    for (let i = 0; i < 200 && partial.length === 0; i++) {
      partial = await growingStagedFiles(dest);
      if (partial.length === 0) await sleep(10);
    }
    expect(partial.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');

    // The previous image is untouched; the partial blob is only in the dead writer's staging dir.
    expect(await imageFiles(dest)).toEqual(before);
    const names = await readdir(dest);
    expect(partial[0]).toContain(`-${child.pid}-stage-`);
    expect(names).toContain(partial[0]);
    const source = await parseDirReference(dest).newSource({});
    await source.getManifest();
    await source.close();

    // The next writer cleans up after the dead one and commits normally.
    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    await copyImage(parseDirReference(src), parseDirReference(dest));
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(src));
  });
});

describe('concurrent writers', () => {
  it('several processes copying into one directory at once all succeed; one image ends there whole', async () => {
    const single = fresh('single');
    await writeDirImage(single, f.single);
    const layered = fresh('layered');
    await writeDirImage(layered, f.multiLayer);
    const list = fresh('list');
    await writeDirIndex(list, f.multiArch);
    const sources = [single, layered, list];
    const dest = fresh('shared');
    const writers = 4;
    const perWriter = 3;
    const children = Array.from({ length: writers }, (_, w) =>
      spawnCopy(
        Array.from({ length: perWriter }, (_, j) => ({
          src: sources[(w + j) % sources.length] as string,
          dest,
        })),
        { multiArch: 'all' },
      ),
    );
    const exits = await Promise.all(children.map((child) => child.exited));
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });

    const stored = await snapshotDir(dest);
    const candidates = await Promise.all(sources.map((src) => snapshotDir(src)));
    expect(candidates).toContainEqual(stored);
  });
});
