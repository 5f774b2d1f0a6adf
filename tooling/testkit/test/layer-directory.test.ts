import { link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOciImage,
  deterministicBytes,
  layerFromDirectory,
  makeTempDir,
  readLayerEntries,
  sha256Digest,
  skopeoCopy,
  type TempDir,
  verifyOciLayout,
} from '../src/index.js';

let tmp: TempDir;
let tree: string;

beforeAll(async () => {
  tmp = await makeTempDir('testkit-layer-dir');
  tree = join(tmp.path, 'tree');
  await mkdir(join(tree, 'bin'), { recursive: true });
  await mkdir(join(tree, 'share', 'empty'), { recursive: true });
  await writeFile(join(tree, 'bin', 'tool'), deterministicBytes('tool', 300_000), { mode: 0o755 });
  await link(join(tree, 'bin', 'tool'), join(tree, 'bin', 'tool-hardlink'));
  await symlink('tool', join(tree, 'bin', 'tool-symlink'));
  await writeFile(join(tree, 'share', 'readme.txt'), 'readme\n');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('layerFromDirectory', () => {
  it('tars a real tree in sorted order with links, computing both digests while streaming', async () => {
    const out = join(tmp.path, 'blobs-a');
    const layer = await layerFromDirectory(tree, { outDir: out, prefix: 'opt/tree' });
    const blob = await readFile(layer.path);
    expect(layer.path).toBe(join(out, layer.digest.slice('sha256:'.length)));
    expect(sha256Digest(blob)).toBe(layer.digest);
    expect(layer.size).toBe(blob.length);
    const tar = gunzipSync(blob);
    expect(sha256Digest(tar)).toBe(layer.diffId);
    expect(layer.uncompressedSize).toBe(tar.length);

    const entries = await readLayerEntries(layer.path);
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ['opt/', 'directory'],
      ['opt/tree/', 'directory'],
      ['opt/tree/bin/', 'directory'],
      ['opt/tree/bin/tool', 'file'],
      ['opt/tree/bin/tool-hardlink', 'link'],
      ['opt/tree/bin/tool-symlink', 'symlink'],
      ['opt/tree/share/', 'directory'],
      ['opt/tree/share/empty/', 'directory'],
      ['opt/tree/share/readme.txt', 'file'],
    ]);
    const tool = entries[3];
    expect(tool?.mode).toBe(0o755);
    expect(tool?.digest).toBe(
      `sha256:${createHash('sha256').update(deterministicBytes('tool', 300_000)).digest('hex')}`,
    );
    expect(entries[4]?.linkname).toBe('opt/tree/bin/tool');
    expect(entries[5]?.linkname).toBe('tool');
  });

  it('gives the same digest for the same tree, and uncompressed layers on request', async () => {
    const a = await layerFromDirectory(tree, { outDir: join(tmp.path, 'blobs-b') });
    const b = await layerFromDirectory(tree, { outDir: join(tmp.path, 'blobs-c') });
    expect(b.digest).toBe(a.digest);
    const plain = await layerFromDirectory(tree, { outDir: join(tmp.path, 'blobs-d'), compression: 'none' });
    expect(plain.digest).toBe(a.diffId);
    expect(plain.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
  });

  it('builds images from directories and prebuilt blobs that skopeo accepts', async () => {
    const prebuilt = await layerFromDirectory(tree, { outDir: join(tmp.path, 'blobs-e'), gzipLevel: 1 });
    const image = await buildOciImage(join(tmp.path, 'layout'), {
      layers: [{ directory: tree, prefix: 'srv' }, { blob: prebuilt }],
    });
    expect(image.layerDigests[1]).toBe(prebuilt.digest);
    await verifyOciLayout(image.layoutDir);
    const dir = join(tmp.path, 'copied');
    await skopeoCopy(image.reference, `dir:${dir}`);
    for (const digest of image.layerDigests) {
      expect(sha256Digest(await readFile(join(dir, digest.slice('sha256:'.length))))).toBe(digest);
    }
  });

  it('fails cleanly for a missing source directory', async () => {
    await expect(
      layerFromDirectory(join(tmp.path, 'nope'), { outDir: join(tmp.path, 'blobs-f') }),
    ).rejects.toThrow(/ENOENT/);
  });
});
