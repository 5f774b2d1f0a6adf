// The conveniences around the core: generateTarSplit, directoryOpener, gzip'd output, and the
// archive shapes Go accepts at the edges.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleTar, directoryOpener, generateTarSplit, readTarSplit } from '../src/index.js';
import { Collector, gnuTar, parseLines, reassemble, sha256, splitTar } from './helpers.js';

let tmp: TempDir;
let tree: string;

beforeAll(async () => {
  tmp = await makeTempDir('tar-split-api');
  tree = join(tmp.path, 'tree');
  await mkdir(join(tree, 'a', 'b'), { recursive: true });
  await writeFile(join(tree, 'a', 'b', 'c'), 'c\n');
  await writeFile(join(tree, 'top'), 'top\n');
  await writeFile(join(tmp.path, 'outside'), 'secret\n');
});

afterAll(async () => {
  await tmp?.cleanup();
});

describe('generateTarSplit + directoryOpener', () => {
  it('writes a gzip tar-split that rebuilds the tar from the unpacked directory', async () => {
    const tar = gnuTar(tree, ['--format=posix', '--sort=name', '.']);
    const gzip = createGzip({ level: 1 });
    const stored = new Collector();
    const written = pipeline(gzip, stored);
    const summary = await generateTarSplit(Readable.from([tar]), { output: gzip });
    await written;
    expect(summary).toEqual({ entries: expect.any(Number), members: 5, tarSize: tar.length });
    expect(parseLines(gunzipSync(stored.bytes).toString())).toHaveLength(summary.entries);

    const rebuilt = new Collector();
    await pipeline(assembleTar(readTarSplit(Readable.from([stored.bytes])), directoryOpener(tree)), rebuilt);
    expect(sha256(rebuilt.bytes)).toBe(sha256(tar));
  });

  it('keeps names inside the root', async () => {
    const open = directoryOpener(tree);
    const name = Buffer.from('../../outside');
    await expect(
      Promise.resolve(open({ type: 'file', name, size: 7, crc64: undefined, position: 0 })),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    const inside = await open({
      type: 'file',
      name: Buffer.from('./a/../top'),
      size: 4,
      crc64: undefined,
      position: 0,
    });
    expect(inside.size).toBe(4);
    (inside.stream as unknown as PassThrough).destroy();
  });
});

describe('archive edges Go accepts', () => {
  it('rebuilds an archive that ends inside the padding after the last content', async () => {
    const tar = gnuTar(tree, ['--format=gnu', 'top']);
    const cut = tar.subarray(0, 512 + 100); // header, 4 bytes of content, 96 of its padding
    const result = await splitTar(cut, join(tmp.path, 'keep-padding'));
    expect(sha256(await reassemble(result.lines, result.opener))).toBe(sha256(cut));
  });

  it('ends at a single zero block followed by the end of the stream', async () => {
    const tar = gnuTar(tree, ['--format=gnu', '--blocking-factor=1', 'top']);
    const cut = tar.subarray(0, tar.length - 512);
    const result = await splitTar(cut, join(tmp.path, 'keep-one-zero'));
    expect(result.members).toHaveLength(1);
    expect(sha256(await reassemble(result.lines, result.opener))).toBe(sha256(cut));
  });

  it('reads an empty tar-split and an empty archive', async () => {
    const result = await splitTar(Buffer.alloc(0), join(tmp.path, 'keep-empty'));
    expect(result.lines).toBe('');
    expect((await reassemble('', result.opener)).length).toBe(0);
    const ends = await splitTar(Buffer.alloc(1024), join(tmp.path, 'keep-ends'));
    expect(parseLines(ends.lines)).toEqual([
      { type: 2, payload: Buffer.alloc(1024).toString('base64'), position: 0 },
    ]);
  });
});
