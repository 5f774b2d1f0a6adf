import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blobPath,
  buildMultiArchIndex,
  buildOciImage,
  fixtures,
  makeTempDir,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
  readIndex,
  readLayerEntries,
  REF_NAME_ANNOTATION,
  sha256Digest,
  type TempDir,
  verifyOciLayout,
} from '../src/index.js';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir('testkit-fixtures');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('buildOciImage', () => {
  it('writes a valid layout whose digests match the returned ones', async () => {
    const image = await buildOciImage(join(tmp.path, 'single'), fixtures.single(), { tag: 'v1' });
    expect(image.reference).toBe(`oci:${join(tmp.path, 'single')}:v1`);
    expect(JSON.parse(await readFile(join(image.layoutDir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = await readIndex(image.layoutDir);
    expect(index.manifests).toEqual([
      {
        mediaType: OCI_MANIFEST,
        digest: image.manifestDigest,
        size: image.manifestSize,
        annotations: { [REF_NAME_ANNOTATION]: 'v1' },
      },
    ]);
    const manifestBytes = await readFile(blobPath(image.layoutDir, image.manifestDigest));
    expect(sha256Digest(manifestBytes)).toBe(image.manifestDigest);
    expect(manifestBytes.equals(image.manifestBytes)).toBe(true);
    expect(sha256Digest(await readFile(blobPath(image.layoutDir, image.configDigest)))).toBe(
      image.configDigest,
    );

    const verified = await verifyOciLayout(image.layoutDir);
    expect(verified.manifests.map((m) => m.digest)).toEqual([image.manifestDigest]);
    expect(verified.blobCount).toBe(3);

    expect(image.config).toMatchObject({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      rootfs: { type: 'layers', diff_ids: image.diffIds },
      config: { Labels: { 'org.skopeo-ts.fixture': 'single' }, Cmd: ['/usr/bin/app'] },
    });
    expect(image.layers[0]?.mediaType).toBe(OCI_LAYER_GZIP);
  });

  it('is deterministic: the same spec gives the same digests in another directory', async () => {
    const a = await buildOciImage(join(tmp.path, 'det-a'), fixtures.multiLayer());
    const b = await buildOciImage(join(tmp.path, 'det-b'), fixtures.multiLayer());
    expect(b.manifestDigest).toBe(a.manifestDigest);
    expect(b.configDigest).toBe(a.configDigest);
    expect(b.layerDigests).toEqual(a.layerDigests);
    expect(b.diffIds).toEqual(a.diffIds);
    const changed = fixtures.multiLayer();
    changed.labels = { changed: 'yes' };
    const c = await buildOciImage(join(tmp.path, 'det-c'), changed);
    expect(c.layerDigests).toEqual(a.layerDigests);
    expect(c.configDigest).not.toBe(a.configDigest);
  });

  it('multiLayer holds every kind of entry, in both layer media types', async () => {
    const image = await buildOciImage(join(tmp.path, 'multi'), fixtures.multiLayer(), { tag: 'layers' });
    await verifyOciLayout(image.layoutDir);
    expect(image.layers.map((layer) => layer.mediaType)).toEqual([
      OCI_LAYER_GZIP,
      OCI_LAYER_TAR,
      OCI_LAYER_GZIP,
    ]);
    expect(image.layers[1]?.digest).toBe(image.layers[1]?.diffId);
    expect(image.config.history.filter((h) => !h.empty_layer)).toHaveLength(3);
    expect(image.manifest.annotations).toEqual({
      'org.opencontainers.image.description': 'skopeo-ts testkit multi-layer fixture',
    });

    const [base, update, data] = await Promise.all(image.layers.map((layer) => readLayerEntries(layer.path)));
    const byName = new Map(base?.map((entry) => [entry.name, entry]));
    expect(byName.get('usr/bin/tool')).toMatchObject({ type: 'file', size: 65536, mode: 0o755, uid: 0 });
    expect(byName.get('usr/bin/tool-alias')).toMatchObject({ type: 'link', linkname: 'usr/bin/tool' });
    expect(byName.get('usr/lib/libdemo.so')).toMatchObject({ type: 'symlink', linkname: 'libdemo.so.1' });
    expect(byName.get('usr/share/doc/demo/')).toMatchObject({ type: 'directory' });
    const long = base?.find((entry) => entry.name.endsWith('file-with-a-long-path.txt'));
    expect(long?.name.length).toBeGreaterThan(155);
    expect(update?.map((entry) => entry.name)).toContain('usr/lib/.wh.libdemo.so');
    expect(update?.map((entry) => entry.name)).toContain('var/cache/demo/.wh..wh..opq');
    expect(data?.map((entry) => entry.name)).toContain('opt/.wh.legacy');
    expect(data?.find((entry) => entry.name === 'data/config')).toMatchObject({
      type: 'symlink',
      linkname: '/etc/demo.conf',
    });
    for (const entry of [...(base ?? []), ...(update ?? []), ...(data ?? [])]) {
      expect(entry.mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    }
  });

  it('keeps other tags of a layout and replaces a re-used tag', async () => {
    const dir = join(tmp.path, 'tags');
    const one = await buildOciImage(dir, fixtures.single(), { tag: 'one' });
    const two = await buildOciImage(dir, fixtures.multiLayer(), { tag: 'two' });
    await buildOciImage(dir, fixtures.multiLayer(), { tag: 'one' });
    const index = await readIndex(dir);
    expect(index.manifests.map((m) => [m.annotations?.[REF_NAME_ANNOTATION], m.digest])).toEqual([
      ['two', two.manifestDigest],
      ['one', two.manifestDigest],
    ]);
    expect(one.manifestDigest).not.toBe(two.manifestDigest);
  });
});

describe('buildMultiArchIndex', () => {
  it('writes index.json → image index → one manifest per platform', async () => {
    const built = await buildMultiArchIndex(join(tmp.path, 'multi-arch'), fixtures.multiArch(), {
      tag: 'all',
    });
    const top = await readIndex(built.layoutDir);
    expect(top.manifests).toEqual([
      {
        mediaType: OCI_INDEX,
        digest: built.indexDigest,
        size: built.indexSize,
        annotations: { [REF_NAME_ANNOTATION]: 'all' },
      },
    ]);
    expect(built.index.manifests.map((m) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
      { architecture: 'arm', os: 'linux', variant: 'v7' },
    ]);
    expect(built.images.map((image) => image.config.architecture)).toEqual(['amd64', 'arm64', 'arm']);
    expect(built.images[1]?.config.variant).toBe('v8');
    // The shared base layer is one blob, the platform layers differ.
    expect(new Set(built.images.map((image) => image.layerDigests[0])).size).toBe(1);
    expect(new Set(built.images.map((image) => image.layerDigests[1])).size).toBe(3);

    const verified = await verifyOciLayout(built.layoutDir);
    expect(verified.indexes).toEqual([built.indexDigest]);
    expect(verified.manifests.map((m) => m.digest)).toEqual(
      built.images.map((image) => image.manifestDigest),
    );

    const again = await buildMultiArchIndex(join(tmp.path, 'multi-arch-2'), fixtures.multiArch(), {
      tag: 'all',
    });
    expect(again.indexDigest).toBe(built.indexDigest);
  });
});

describe('verifyOciLayout', () => {
  it('reports a blob whose bytes do not match its digest', async () => {
    const image = await buildOciImage(join(tmp.path, 'corrupt'), fixtures.single());
    const { writeFile } = await import('node:fs/promises');
    await writeFile(blobPath(image.layoutDir, image.configDigest), Buffer.alloc(image.configSize, 0x20));
    await expect(verifyOciLayout(image.layoutDir)).rejects.toThrow(`blob ${image.configDigest} hashes to`);
  });
});
