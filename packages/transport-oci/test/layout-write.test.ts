import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  copyImage,
  digestOf,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_GZIP,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
  MemoryBlobInfoCache,
} from '@skopeo-ts/core';
import { buildMultiArchIndex, buildOciImage, fixtures, verifyOciLayout } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { expectSkopeoError, oci, readIndexJson, refNames, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('writing an OCI layout', () => {
  it('creates the directory, oci-layout and index.json with a named entry', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const dest = join(dir, 'new', 'nested', 'layout');
    const result = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dest}:v1`));
    expect(JSON.parse(await readFile(join(dest, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = await readIndexJson(dest);
    expect(index.schemaVersion).toBe(2);
    expect(index.manifests).toEqual([
      {
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        digest: result.digest,
        size: result.manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': 'v1' },
      },
    ]);
    // The single-layer fixture is already gzip: the manifest is copied unchanged.
    expect(result.digest).toBe(src.manifestDigest);
    await verifyOciLayout(dest);
    // No temp files or lock left behind.
    expect((await readdir(dest)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('compresses uncompressed layers unless ociAcceptUncompressedLayers', async () => {
    const dir = await tempDir();
    const spec = fixtures.single();
    spec.layers = spec.layers.map((layer) => ({ ...layer, compression: 'none' as const }));
    const src = await buildOciImage(join(dir, 'src'), spec);
    expect(src.manifest.layers[0]?.mediaType).toBe(MEDIA_TYPE_OCI_LAYER_TAR);

    const compressed = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/gz:latest`));
    const gzManifest = JSON.parse(Buffer.from(compressed.manifest).toString()) as {
      layers: { mediaType: string }[];
    };
    expect(gzManifest.layers[0]?.mediaType).toBe(MEDIA_TYPE_OCI_LAYER_GZIP);
    await verifyOciLayout(`${dir}/gz`);

    const kept = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/tar:latest`), {
      destinationContext: { ociAcceptUncompressedLayers: true },
    });
    expect(kept.digest).toBe(src.manifestDigest);
  });

  it('moves a reused name to the new entry; the old entry stays, unnamed (as skopeo)', async () => {
    const dir = await tempDir();
    const one = await buildOciImage(join(dir, 'one'), fixtures.single());
    const twoSpec = fixtures.single();
    twoSpec.labels = { changed: 'yes' };
    const two = await buildOciImage(join(dir, 'two'), twoSpec);
    const dest = join(dir, 'dest');
    await copyImage(oci(`${one.layoutDir}:latest`), oci(`${dest}:tag`));
    await copyImage(oci(`${one.layoutDir}:latest`), oci(`${dest}:other`));
    await copyImage(oci(`${two.layoutDir}:latest`), oci(`${dest}:tag`));
    let index = await readIndexJson(dest);
    expect(index.manifests.map((m) => m.digest)).toEqual([
      one.manifestDigest,
      one.manifestDigest,
      two.manifestDigest,
    ]);
    expect(refNames(index)).toEqual([undefined, 'other', 'tag']);
    // Naming the same image again replaces the unnamed entry of that digest instead of adding one.
    await copyImage(oci(`${one.layoutDir}:latest`), oci(`${dest}:third`));
    index = await readIndexJson(dest);
    expect(refNames(index)).toEqual(['third', 'other', 'tag']);
    // An unnamed copy of an image already unnamed in the index does not duplicate it either.
    await copyImage(oci(`${two.layoutDir}:latest`), oci(`${dest}:tag2`));
    await copyImage(oci(`${one.layoutDir}:latest`), oci(dest));
    index = await readIndexJson(dest);
    expect(index.manifests).toHaveLength(5);
    await verifyOciLayout(dest);
  });

  it('keeps the other entries and fields of an existing index.json', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const existing = await buildOciImage(join(dir, 'dest'), fixtures.multiLayer(), { tag: 'old' });
    await copyImage(oci(`${src.layoutDir}:latest`), oci(`${existing.layoutDir}:new`));
    const index = await readIndexJson(existing.layoutDir);
    expect(refNames(index)).toEqual(['old', 'new']);
    expect(index.manifests[0]?.digest).toBe(existing.manifestDigest);
  });

  it('writes a multi-arch index with every instance as blobs (multiArch all)', async () => {
    const dir = await tempDir();
    const src = await buildMultiArchIndex(join(dir, 'src'), fixtures.multiArch());
    const result = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/dest:multi`), {
      multiArch: 'all',
    });
    expect(result.digest).toBe(src.indexDigest);
    const index = await readIndexJson(`${dir}/dest`);
    expect(index.manifests).toEqual([
      {
        mediaType: MEDIA_TYPE_OCI_INDEX,
        digest: src.indexDigest,
        size: src.indexSize,
        annotations: { 'org.opencontainers.image.ref.name': 'multi' },
      },
    ]);
    const verified = await verifyOciLayout(`${dir}/dest`);
    expect(verified.manifests.map((m) => m.digest).sort()).toEqual(
      src.images.map((i) => i.manifestDigest).sort(),
    );
  });

  it('refuses a non-empty directory that is not an OCI layout, and touches nothing in it', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const project = join(dir, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), '{}');
    const error = await expectSkopeoError(
      copyImage(oci(`${src.layoutDir}:latest`), oci(`${project}:x`)),
      'CONFLICT',
    );
    expect(error.message).toContain(project);
    expect(error.message).toContain('is not empty and is not an OCI layout');
    expect(error.message).toContain('"package.json"');
    expect(await readdir(project)).toEqual(['package.json']);
    // A file where the layout should be.
    await expectSkopeoError(
      copyImage(oci(`${src.layoutDir}:latest`), oci(`${project}/package.json:x`)),
      'CONFLICT',
    );
  });

  it('accepts what an interrupted first copy leaves (blobs/ and temp files only)', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const dest = join(dir, 'dest');
    await mkdir(join(dest, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(dest, 'oci-put-blob123456'), 'partial from skopeo');
    await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dest}:x`));
    expect(refNames(await readIndexJson(dest))).toEqual(['x']);
  });

  it('refuses an unknown image layout version', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    await mkdir(join(dir, 'v2'));
    await writeFile(join(dir, 'v2', 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    const error = await expectSkopeoError(
      copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/v2:x`)),
      'UNSUPPORTED',
    );
    expect(error.message).toContain('"2.0.0"');
  });

  it('refuses @N as a destination', async () => {
    const dir = await tempDir();
    await expectSkopeoError(oci(`${dir}/x:@0`).newDestination({}), 'INVALID_REFERENCE');
  });

  it('writes blobs of unknown digest, computing it while streaming', async () => {
    const dir = await tempDir();
    const dest = await oci(`${dir}/layout:x`).newDestination({});
    try {
      const bytes = Buffer.from('some blob content');
      const stored = await dest.putBlob(
        Readable.from([bytes]),
        { digest: undefined, size: -1 },
        { isConfig: false, cache: new MemoryBlobInfoCache() },
      );
      expect(stored).toMatchObject({ digest: digestOf(bytes), size: bytes.length });
      expect(await readFile(join(dir, 'layout', 'blobs', 'sha256', digestOf(bytes).slice(7)))).toEqual(bytes);
      expect(
        await dest.tryReusingBlob(stored, {
          isConfig: false,
          cache: new MemoryBlobInfoCache(),
          canSubstitute: false,
        }),
      ).toEqual({
        digest: stored.digest,
        size: bytes.length,
      });
      // A size mismatch publishes nothing.
      const other = Buffer.from('other content');
      await expectSkopeoError(
        dest.putBlob(
          Readable.from([other]),
          { digest: digestOf(other), size: 3 },
          { isConfig: false, cache: new MemoryBlobInfoCache() },
        ),
        'SIZE_MISMATCH',
      );
      await expect(stat(join(dir, 'layout', 'blobs', 'sha256', digestOf(other).slice(7)))).rejects.toThrow();
    } finally {
      await dest.close();
    }
    // Nothing was committed: no index.json, no temp files.
    expect((await readdir(join(dir, 'layout'))).sort()).toEqual(['blobs']);
  });

  it('puts blobs and manifests into the shared blob directory when asked', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const shared = join(dir, 'shared');
    const result = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/a:x`), {
      destinationContext: { ociSharedBlobDir: shared },
    });
    expect((await readdir(join(shared, 'sha256'))).sort()).toEqual(
      [result.digest, src.configDigest, ...src.layerDigests].map((d) => d.slice(7)).sort(),
    );
    expect(await readdir(join(dir, 'a', 'blobs'))).toEqual([]);
    // Read back with the shared dir, then into a second layout sharing it: nothing new is written.
    const again = await copyImage(oci(`${dir}/a:x`), oci(`${dir}/b:y`), {
      sourceContext: { ociSharedBlobDir: shared },
      destinationContext: { ociSharedBlobDir: shared },
    });
    expect(again.digest).toBe(result.digest);
    expect(refNames(await readIndexJson(join(dir, 'b')))).toEqual(['y']);
  });

  it('removes temp files of dead writers and old ones, and leaves live ones alone', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const dest = join(dir, 'dest');
    await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dest}:a`));
    const { hostname } = await import('node:os');
    const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
    const dead = join(dest, `.skopeo-ts-tmp-${host}-999999-aaaaaa`); // no such pid (pid_max is lower)
    const live = join(dest, `.skopeo-ts-tmp-${host}-${process.pid}-bbbbbb`);
    const oldSkopeo = join(dest, 'oci-put-blob42');
    const freshSkopeo = join(dest, 'oci-put-blob43');
    for (const path of [dead, live, oldSkopeo, freshSkopeo]) await writeFile(path, 'partial');
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    await utimes(oldSkopeo, old, old);
    await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dest}:b`));
    const names = await readdir(dest);
    expect(names).not.toContain('.skopeo-ts-tmp-' + `${host}-999999-aaaaaa`);
    expect(names).not.toContain('oci-put-blob42');
    expect(names).toContain(`.skopeo-ts-tmp-${host}-${process.pid}-bbbbbb`);
    expect(names).toContain('oci-put-blob43');
    // Readers ignore them.
    await verifyOciLayout(dest);
  });
});
