import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage, type Digest, MemoryBlobInfoCache } from '@skopeo-ts/core';
import { blobPath, buildMultiArchIndex, buildOciImage, fixtures, verifyOciLayout } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { expectSkopeoError, oci, ociArchive, readIndexJson, refNames, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

async function blobNames(layout: string): Promise<string[]> {
  return (await readdir(join(layout, 'blobs', 'sha256'))).sort();
}

const hex = (digest: string) => digest.slice('sha256:'.length);

describe('deleting from an OCI layout', () => {
  it('removes the entry and only the blobs nothing else uses', async () => {
    const dir = await tempDir();
    const a = await buildOciImage(dir, fixtures.single(), { tag: 'a' });
    const bSpec = fixtures.single(); // same layer as a, different config
    bSpec.labels = { b: 'yes' };
    const b = await buildOciImage(dir, bSpec, { tag: 'b' });
    expect(b.layerDigests).toEqual(a.layerDigests);
    const multi = await buildOciImage(dir, fixtures.multiLayer(), { tag: 'multi' });

    await oci(`${dir}:a`).delete({});
    expect(refNames(await readIndexJson(dir))).toEqual(['b', 'multi']);
    const left = await blobNames(dir);
    expect(left).not.toContain(hex(a.manifestDigest));
    expect(left).not.toContain(hex(a.configDigest));
    expect(left).toContain(hex(a.layerDigests[0] as string)); // still used by b
    await verifyOciLayout(dir);

    await oci(`${dir}:@0`).delete({}); // b, by position
    expect(refNames(await readIndexJson(dir))).toEqual(['multi']);
    expect(await blobNames(dir)).toEqual(
      [multi.manifestDigest, multi.configDigest, ...multi.layerDigests].map(hex).sort(),
    );
    await oci(dir).delete({}); // the only image
    expect((await readIndexJson(dir)).manifests).toEqual([]);
    expect(await blobNames(dir)).toEqual([]);
  });

  it('walks nested indexes: shared base layers of a multi-arch image stay while a member uses them', async () => {
    const dir = await tempDir();
    const built = await buildMultiArchIndex(join(dir, 'src'), fixtures.multiArch());
    const layout = join(dir, 'layout');
    await copyImage(oci(`${built.layoutDir}:latest`), oci(`${layout}:all`), { multiArch: 'all' });
    await copyImage(oci(`${built.layoutDir}:latest`), oci(`${layout}:arm`), {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    const arm = built.images[1];
    if (arm === undefined) throw new Error('fixture has 3 images');
    await oci(`${layout}:all`).delete({});
    expect(refNames(await readIndexJson(layout))).toEqual(['arm']);
    expect(await blobNames(layout)).toEqual(
      [arm.manifestDigest, arm.configDigest, ...arm.layerDigests].map(hex).sort(),
    );
    await verifyOciLayout(layout);
  });

  it('keeps every blob when a remaining manifest cannot be read', async () => {
    const dir = await tempDir();
    const a = await buildOciImage(dir, fixtures.single(), { tag: 'a' });
    const broken = await buildOciImage(dir, fixtures.multiLayer(), { tag: 'broken' });
    await rm(blobPath(dir, broken.manifestDigest));
    await oci(`${dir}:a`).delete({});
    expect(refNames(await readIndexJson(dir))).toEqual(['broken']);
    expect(await blobNames(dir)).toContain(hex(a.configDigest));
  });

  it('reports a missing image as NOT_FOUND and changes nothing', async () => {
    const dir = await tempDir();
    await buildOciImage(dir, fixtures.single(), { tag: 'a' });
    const before = await blobNames(dir);
    const error = await expectSkopeoError(oci(`${dir}:zzz`).delete({}), 'NOT_FOUND');
    expect(error.message).toContain('no image named "zzz"');
    expect(await blobNames(dir)).toEqual(before);
    await expectSkopeoError(oci(`${dir}/missing:a`).delete({}), 'NOT_FOUND');
    // No lock is left behind after a failed delete.
    expect(await readdir(dir)).not.toContain('index.json.lock');
  });

  it('a writer that reused a blob a concurrent delete removed refuses to commit a broken entry', async () => {
    const dir = await tempDir();
    const image = await buildOciImage(dir, fixtures.single(), { tag: 'a' });
    const dest = await oci(`${dir}:b`).newDestination({});
    const cache = new MemoryBlobInfoCache();
    const layer = { digest: image.layerDigests[0] as Digest, size: image.layers[0]?.size ?? -1 };
    expect(await dest.tryReusingBlob(layer, { isConfig: false, cache, canSubstitute: false })).toBeDefined();
    await dest.putManifest(image.manifestBytes, { mediaType: image.manifest.mediaType });
    await oci(`${dir}:a`).delete({}); // removes the layer: nothing else used it
    const error = await expectSkopeoError(dest.commit(), 'CONFLICT');
    expect(error.message).toContain(`blob ${layer.digest} disappeared`);
    await dest.close();
    expect((await readIndexJson(dir)).manifests).toEqual([]);
  });

  it('is not supported for oci-archive:', async () => {
    const dir = await tempDir();
    await expectSkopeoError(ociArchive(`${dir}/a.tar:x`).delete({}), 'UNSUPPORTED');
  });
});
