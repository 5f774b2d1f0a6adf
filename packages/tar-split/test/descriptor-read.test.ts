// Reassembly from directories through descriptors: files read straight into fixed-size chunks
// (small ones blocking, big ones through the pool), overlay-style roots searched in order, the
// same integrity failures as the streamed path, and no descriptor left open when the reader gives
// up early.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { appendFile, mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deterministicBytes, makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleTar, directoryOpener, isTarSplitError, readTarSplit } from '../src/index.js';
import { Collector, gnuTar, sha256, splitTar } from './helpers.js';

let tmp: TempDir;
let tree: string;
let tar: Buffer;
let lines: string;

const BIG = 3 * 1024 * 1024 + 17;

beforeAll(async () => {
  tmp = await makeTempDir('tar-split-descriptors');
  tree = join(tmp.path, 'tree');
  await mkdir(join(tree, 'many'), { recursive: true });
  // Enough small files to fill several output chunks, and big ones between them.
  for (let i = 0; i < 600; i++) {
    await writeFile(join(tree, 'many', `f${i}`), deterministicBytes(`small-${i}`, (i * 977) % 9000));
  }
  await writeFile(join(tree, 'big'), deterministicBytes('big', BIG));
  await writeFile(join(tree, 'mid'), deterministicBytes('mid', 300 * 1024));
  await writeFile(join(tree, 'many', 'edge'), deterministicBytes('edge', 256 * 1024));
  tar = gnuTar(tree, ['--format=posix', '--sort=name', '.']);
  lines = (await splitTar(tar, join(tmp.path, 'kept'))).lines;
});

afterAll(async () => {
  await tmp?.cleanup();
});

function rebuild(root: string | string[]): Readable {
  return assembleTar(readTarSplit(Readable.from([Buffer.from(lines)])), directoryOpener(root));
}

async function outcome(stream: Readable): Promise<{ bytes: Buffer; error: unknown }> {
  const sink = new Collector();
  let error: unknown;
  try {
    for await (const chunk of stream) sink.chunks.push(chunk as Buffer);
  } catch (caught) {
    error = caught;
  }
  return { bytes: sink.bytes, error };
}

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

async function copyTree(name: string): Promise<string> {
  const copy = join(tmp.path, name);
  await mkdir(copy, { recursive: true });
  cpSync(tree, copy, { recursive: true });
  return copy;
}

describe('reassembly through descriptors', () => {
  it('rebuilds the tar byte for byte, in chunks of 1 MiB but the last', async () => {
    const sizes: number[] = [];
    for await (const chunk of rebuild(tree)) sizes.push((chunk as Buffer).length);
    expect(sizes.slice(0, -1).every((size) => size === 1024 * 1024)).toBe(true);
    const { bytes, error } = await outcome(rebuild(tree));
    expect(error).toBeUndefined();
    expect(sha256(bytes)).toBe(sha256(tar));
  });

  it('finds each file in the first root that has it', async () => {
    const upper = join(tmp.path, 'upper');
    const lower = await copyTree('lower');
    await mkdir(join(upper, 'many'), { recursive: true });
    // The upper root has some files (the same content), the lower all of them.
    await writeFile(join(upper, 'many', 'f7'), deterministicBytes('small-7', (7 * 977) % 9000));
    const { bytes, error } = await outcome(rebuild([upper, lower]));
    expect(error).toBeUndefined();
    expect(sha256(bytes)).toBe(sha256(tar));
    // A changed copy in the upper root wins over the lower's.
    await writeFile(join(upper, 'many', 'f7'), Buffer.alloc((7 * 977) % 9000, 1));
    const changed = await outcome(rebuild([upper, lower]));
    expect(isTarSplitError(changed.error, 'INTEGRITY')).toBe(true);
    expect((changed.error as Error).message).toMatch(/many\/f7": CRC-64/);
  });

  it('fails as the streamed path does when a small or big file changed', async () => {
    const cases: [string, (root: string) => Promise<void>, RegExp][] = [
      ['small-bytes', (root) => writeFile(join(root, 'many', 'f3'), Buffer.alloc(2931, 7)), /f3": CRC-64/],
      ['small-size', (root) => appendFile(join(root, 'many', 'f3'), 'x'), /has 2932 bytes, the tar-split/],
      ['big-bytes', (root) => writeFile(join(root, 'big'), Buffer.alloc(BIG, 7)), /big": CRC-64/],
      ['big-size', (root) => truncate(join(root, 'big'), 5), /has 5 bytes, the tar-split records 3145745/],
    ];
    for (const [name, change, message] of cases) {
      const root = await copyTree(name);
      await change(root);
      const { bytes, error } = await outcome(rebuild(root));
      expect(isTarSplitError(error, 'INTEGRITY'), name).toBe(true);
      expect((error as Error).message, name).toMatch(message);
      // What came before the failing file was handed on (and, as streamed, a changed content).
      expect(bytes.length, name).toBeGreaterThan(0);
      if (name.endsWith('-size')) expect(bytes.equals(tar.subarray(0, bytes.length)), name).toBe(true);
    }
  });

  it('refuses what is not a regular file', async () => {
    const root = await copyTree('not-regular');
    rmSync(join(root, 'mid'));
    mkdirSync(join(root, 'mid'));
    const { error } = await outcome(rebuild(root));
    expect(isTarSplitError(error, 'INTEGRITY')).toBe(true);
    expect((error as Error).message).toMatch(/mid": it is not a regular file/);
    // A FIFO is refused without waiting for a writer.
    rmSync(join(root, 'mid'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'mid')]);
    const fifo = await outcome(rebuild(root));
    expect((fifo.error as Error).message).toMatch(/mid": it is not a regular file/);
  });

  it('closes every descriptor when the reader stops early, wherever it stops', async () => {
    const before = openDescriptors();
    for (const stopAfter of [1, 2, 5, 9]) {
      const stream = rebuild(tree);
      let seen = 0;
      for await (const _chunk of stream) {
        if (++seen === stopAfter) break;
      }
      stream.destroy();
      // A read in flight when the reader stopped finishes first; then the file is closed. Under
      // load that can take a while: wait for it (a leak never comes back down).
      const deadline = Date.now() + 5000;
      while (openDescriptors() !== before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(openDescriptors(), `stopped after ${stopAfter} chunks`).toBe(before);
    }
  });
});
