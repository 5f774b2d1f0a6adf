// The proof of byte-compatibility: skopeo 1.9.3 (Go's tar-split, via containers/storage) stores
// an image in a vfs store; for every layer our tar-split must equal the one it wrote (apart from
// the empty segment tar-split ≤ v0.11.5 appends), and our reassembly from its vfs directory must
// give back the layer's DiffID.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import {
  addTarEntry,
  buildOciImage,
  createSkopeoEnvironment,
  deterministicBytes,
  LAYER_MEDIA_TYPES,
  type LayerBlob,
  makeTempDir,
  runSkopeoChecked,
  type SkopeoEnvironment,
  type TempDir,
  unmountAllUnder,
  writeLayerBlob,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleTar, directoryOpener, readTarSplit, TarSplitGenerator } from '../src/index.js';
import { Collector, gnuTar, sha256 } from './helpers.js';

interface StoredLayer {
  id: string;
  'diff-digest': string;
}

const LEGACY_EMPTY_SEGMENT = /\{"type":2,"payload":"","position":\d+\}\n$/;

let tmp: TempDir;
let skopeoEnv: SkopeoEnvironment;
let graphRoot: string;
let layers: LayerBlob[];
let stored: StoredLayer[];

/** An uncompressed layer blob made by GNU tar from `dir`. */
async function gnuTarLayer(outDir: string, dir: string, args: readonly string[]): Promise<LayerBlob> {
  const tar = gnuTar(dir, args);
  const hex = sha256(tar);
  const path = join(outDir, hex);
  await writeFile(path, tar);
  return {
    digest: `sha256:${hex}`,
    size: tar.length,
    diffId: `sha256:${hex}`,
    uncompressedSize: tar.length,
    compression: 'none',
    mediaType: LAYER_MEDIA_TYPES.none,
    path,
  };
}

const trailingSplitDiffered: string[] = [];

/**
 * Tar-split lines cut after the segment that holds the end-of-archive blocks (the first segment
 * after the last file entry), and the payload bytes of the segments after it.
 */
function splitAtArchiveEnd(text: string): { archive: string; trailing: Buffer; trailingLines: string } {
  const lines = text.split('\n').filter((line) => line !== '');
  let lastFile = -1;
  lines.forEach((line, index) => {
    if (line.startsWith('{"type":1,')) lastFile = index;
  });
  const cut = lastFile + 2;
  const trailingLines = lines.slice(cut);
  const trailing = Buffer.concat(
    trailingLines.map((line) => Buffer.from((JSON.parse(line) as { payload: string }).payload, 'base64')),
  );
  return {
    archive: `${lines.slice(0, cut).join('\n')}\n`,
    trailing,
    trailingLines: trailingLines.map((line) => line.replace(/"position":\d+/, '')).join('\n'),
  };
}

async function trailingZerosLayer(outDir: string, tar: Buffer, extra: number): Promise<LayerBlob> {
  const padded = Buffer.concat([tar, Buffer.alloc(extra)]);
  const hex = sha256(padded);
  const path = join(outDir, hex);
  await writeFile(path, padded);
  return {
    digest: `sha256:${hex}`,
    size: padded.length,
    diffId: `sha256:${hex}`,
    uncompressedSize: padded.length,
    compression: 'none',
    mediaType: LAYER_MEDIA_TYPES.none,
    path,
  };
}

async function ourTarSplit(layer: LayerBlob): Promise<string> {
  const output = new Collector();
  const generator = new TarSplitGenerator({ output });
  const digest = createHash('sha256');
  const blob = createReadStream(layer.path);
  const tar = layer.compression === 'gzip' ? blob.pipe(createGunzip()) : blob;
  await pipeline(tar, generator, async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) digest.update(chunk);
  });
  expect(`sha256:${digest.digest('hex')}`).toBe(layer.diffId);
  return output.bytes.toString('utf8');
}

beforeAll(async () => {
  tmp = await makeTempDir('tar-split-differential');
  skopeoEnv = await createSkopeoEnvironment();
  const blobs = join(tmp.path, 'blobs');
  await mkdir(blobs, { recursive: true });

  const tree = join(tmp.path, 'tree');
  await mkdir(join(tree, 'usr', 'share', `${'long-directory-'.repeat(5)}x`), { recursive: true });
  await writeFile(
    join(tree, 'usr', 'share', `${'long-directory-'.repeat(5)}x`, `${'long-file-'.repeat(9)}.txt`),
    'long\n',
  );
  await writeFile(join(tree, 'usr', 'a&b <c>.txt'), 'html\n');
  await writeFile(join(tree, 'usr', 'café ✓'), 'unicode\n');
  await writeFile(Buffer.from(`${tree}/usr/latin1-\xe9t\xe9`, 'latin1'), 'not utf-8\n');
  await writeFile(join(tree, 'usr', 'big.bin'), deterministicBytes('big', 2 * 1024 * 1024 + 3));
  await writeFile(join(tree, 'usr', 'empty'), '');
  await symlink(`../${'far-away-'.repeat(15)}`, join(tree, 'usr', 'long-link'));

  const devices = await writeLayerBlob(
    blobs,
    async (pack) => {
      const mtime = new Date('2024-01-01T00:00:00Z');
      await addTarEntry(pack, { name: 'dev/', type: 'directory', mode: 0o755, mtime });
      await addTarEntry(pack, {
        name: 'dev/null',
        type: 'character-device',
        devmajor: 1,
        devminor: 3,
        mode: 0o666,
        mtime,
      });
      await addTarEntry(pack, {
        name: 'dev/loop9',
        type: 'block-device',
        devmajor: 7,
        devminor: 9,
        mode: 0o660,
        mtime,
      });
      await addTarEntry(pack, { name: 'dev/fifo', type: 'fifo', mode: 0o644, mtime });
      await addTarEntry(pack, { name: 'etc/', type: 'directory', mode: 0o755, mtime });
      await addTarEntry(
        pack,
        {
          name: 'etc/xattr',
          type: 'file',
          mode: 0o644,
          mtime,
          size: 6,
          uid: 1000,
          gid: 2000,
          pax: { 'SCHILY.xattr.user.foo': 'bar' },
        },
        [Buffer.from('hello\n')],
      );
      await addTarEntry(pack, { name: 'etc/hard', type: 'link', linkname: 'etc/xattr', mode: 0o644, mtime });
      await addTarEntry(pack, { name: 'etc/.wh.gone', type: 'file', mode: 0o644, mtime, size: 0 }, []);
    },
    { compression: 'gzip' },
  );

  layers = [
    devices,
    await gnuTarLayer(blobs, tree, ['--format=posix', '--sort=name', '--mtime=@1700000000', 'usr']),
    await gnuTarLayer(blobs, tree, ['--format=gnu', '--sort=name', '--blocking-factor=1', 'usr']),
    // Long names split into the USTAR prefix field.
    await gnuTarLayer(blobs, tree, ['--format=ustar', '--sort=name', 'usr/share']),
    await gnuTarLayer(blobs, tree, ['--format=v7', 'usr/empty', 'usr/big.bin']),
    // uid 2^21 does not fit in octal: base-256.
    await gnuTarLayer(blobs, tree, ['--format=gnu', '--owner=2097152', '--group=7', 'usr/café ✓']),
    // A PAX global header, which Go's reader returns as a member of its own.
    await gnuTarLayer(blobs, tree, ['--format=posix', '--pax-option=comment=hi', 'usr/a&b <c>.txt']),
    // 1.5 MiB of zeros after the end blocks: trailing segments.
    await trailingZerosLayer(blobs, gnuTar(tree, ['--format=gnu', 'usr/empty']), 1.5 * 1024 * 1024),
  ];
  const image = await buildOciImage(join(tmp.path, 'layout'), {
    layers: [
      {
        entries: [
          { type: 'dir', path: 'base' },
          { type: 'file', path: 'base/file', content: 'base\n' },
        ],
      },
      ...layers.map((blob) => ({ blob })),
    ],
  });
  layers = [image.layers[0]!, ...layers];

  graphRoot = join(tmp.path, 'store');
  const runRoot = join(tmp.path, 'run');
  await runSkopeoChecked(
    ['copy', image.reference, `containers-storage:[vfs@${graphRoot}+${runRoot}]localhost/tar-split:test`],
    { environment: skopeoEnv },
  );
  stored = JSON.parse(await readFile(join(graphRoot, 'vfs-layers', 'layers.json'), 'utf8')) as StoredLayer[];
});

afterAll(async () => {
  if (graphRoot) unmountAllUnder(graphRoot);
  await skopeoEnv?.cleanup();
  if (tmp) {
    unmountAllUnder(tmp.path);
    await rm(tmp.path, { recursive: true, force: true });
    await tmp.cleanup();
  }
});

describe('differential: Go tar-split as skopeo 1.9.3 stores it', () => {
  it('stores every layer we built', () => {
    expect(execFileSync('findmnt', ['-rn', '-o', 'TARGET']).toString()).not.toContain(graphRoot);
    for (const layer of layers) expect(stored.map((record) => record['diff-digest'])).toContain(layer.diffId);
  });

  it('writes the same JSON lines as Go for every layer', async () => {
    for (const layer of layers) {
      const record = stored.find((candidate) => candidate['diff-digest'] === layer.diffId)!;
      const theirs = gunzipSync(
        await readFile(join(graphRoot, 'vfs-layers', `${record.id}.tar-split.gz`)),
      ).toString('utf8');
      const ours = await ourTarSplit(layer);
      expect(ours).not.toMatch(LEGACY_EMPTY_SEGMENT);
      // skopeo 1.9.3 carries tar-split < v0.11.6, which always ends with an empty segment.
      expect(theirs).toMatch(LEGACY_EMPTY_SEGMENT);
      const a = splitAtArchiveEnd(ours);
      const b = splitAtArchiveEnd(theirs.replace(LEGACY_EMPTY_SEGMENT, ''));
      expect(a.archive.split('\n').length).toBeGreaterThan(3);
      // Up to and including the end blocks: byte for byte.
      expect(sha256(Buffer.from(a.archive)), `${layer.diffId}: lines up to the end of the archive`).toBe(
        sha256(Buffer.from(b.archive)),
      );
      // After them, Go cuts where its reader's reads return, and c/storage's reader is not a plain
      // file: it sniffs the first 10240 bytes and reads uncompressed layers through a 32 KiB
      // bufio, so its cuts fall at offsets ≡ 10240 (mod 32768) (seen here: 7680 + 2048 where we
      // write one 9728-byte segment). Only the bytes must agree.
      expect(sha256(a.trailing), `${layer.diffId}: bytes after the end of the archive`).toBe(
        sha256(b.trailing),
      );
      if (a.trailingLines !== b.trailingLines) trailingSplitDiffered.push(layer.diffId);
    }
    // The two layers whose trailing bytes cross such an offset; every other layer matched line for line.
    expect(trailingSplitDiffered).toHaveLength(2);
  });

  it("reads Go's tar-split and rebuilds each layer from the vfs directory", async () => {
    for (const layer of layers) {
      const record = stored.find((candidate) => candidate['diff-digest'] === layer.diffId)!;
      const entries = readTarSplit(
        createReadStream(join(graphRoot, 'vfs-layers', `${record.id}.tar-split.gz`)),
      );
      const tar = assembleTar(entries, directoryOpener(join(graphRoot, 'vfs', 'dir', record.id)));
      const digest = createHash('sha256');
      await pipeline(tar, async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) digest.update(chunk);
      });
      expect(`sha256:${digest.digest('hex')}`).toBe(layer.diffId);
    }
  });

  it('reads the legacy trailing empty segment', async () => {
    const record = stored[0]!;
    const raw = gunzipSync(
      await readFile(join(graphRoot, 'vfs-layers', `${record.id}.tar-split.gz`)),
    ).toString('utf8');
    const entries = [];
    for await (const entry of readTarSplit(Readable.from([Buffer.from(raw)]))) entries.push(entry);
    if (LEGACY_EMPTY_SEGMENT.test(raw))
      expect(entries.at(-1)).toMatchObject({ type: 'segment', payload: Buffer.alloc(0) });
    expect(entries.length).toBe(raw.split('\n').filter(Boolean).length);
  });
});
