// Differential tests against Debian's skopeo 1.9.3: what we write, skopeo reads with the same
// digests (and copies, verifying every blob); what skopeo writes, we read the same way.
// 1.9.3 refuses `oci:PATH:@N` and cannot delete from oci:, so those are tested on our side only.
import { join } from 'node:path';
import { type CopyResult, copyImage, parseManifest } from '@skopeo-ts/core';
import {
  type BuiltImage,
  buildMultiArchIndex,
  buildOciImage,
  fixtures,
  type ImageSpec,
  skopeoCopy,
  skopeoInspect,
  verifyOciLayout,
} from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { oci, ociArchive, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

interface ManifestJson {
  config: { digest: string };
  layers: { digest: string; mediaType: string }[];
}

function manifestOf(result: CopyResult): ManifestJson {
  return JSON.parse(Buffer.from(result.manifest).toString('utf8')) as ManifestJson;
}

/** skopeo reads `ref` as exactly what we wrote, and can copy it (verifying every blob). */
async function expectSkopeoReads(
  ref: string,
  result: CopyResult,
  scratch: string,
  image: BuiltImage,
): Promise<void> {
  const raw = await skopeoInspect(ref, { raw: true });
  expect(raw.digest).toBe(result.digest);
  expect(raw.bytes).toEqual(Buffer.from(result.manifest));
  const inspected = await skopeoInspect(ref);
  const manifest = manifestOf(result);
  expect(inspected.json.Digest).toBe(result.digest);
  expect(inspected.json.Layers).toEqual(manifest.layers.map((layer) => layer.digest));
  expect(inspected.json.Architecture).toBe(image.config.architecture);
  expect(inspected.json.Os).toBe(image.config.os);
  expect(inspected.json.Labels).toEqual(image.config.config.Labels ?? null);
  expect(inspected.json.Env).toEqual(image.config.config.Env ?? null);
  const config = await skopeoInspect(ref, { raw: true, config: true });
  expect(config.digest).toBe(manifest.config.digest);
  await skopeoCopy(ref, `oci:${scratch}:copied`);
  expect((await skopeoInspect(`oci:${scratch}:copied`, { raw: true })).digest).toBe(result.digest);
}

const singleImages: [string, () => ImageSpec][] = [
  ['single', fixtures.single],
  ['multi-layer (whiteouts, symlinks, an uncompressed layer)', fixtures.multiLayer],
];

describe.each(singleImages)('skopeo 1.9.3 and skopeo-ts agree on the %s fixture', (_name, spec) => {
  it('oci → oci: skopeo reads what we wrote; gzip layers and the config are the same as its own copy', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), spec());
    const ours = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/ours:v1`));
    await verifyOciLayout(`${dir}/ours`);
    await expectSkopeoReads(`oci:${dir}/ours:v1`, ours, `${dir}/scratch`, src);

    await skopeoCopy(`oci:${src.layoutDir}:latest`, `oci:${dir}/theirs:v1`);
    const theirs = await skopeoInspect(`oci:${dir}/theirs:v1`, { raw: true });
    const theirManifest = parseManifest(theirs.bytes);
    if (theirManifest.kind !== 'oci-manifest') throw new Error('skopeo wrote an OCI manifest');
    const ourManifest = manifestOf(ours);
    expect(ourManifest.config.digest).toBe(theirManifest.manifest.config.digest);
    // Layers compressed by the copy differ (Go's gzip is not zlib's); layers copied as they were match.
    src.manifest.layers.forEach((layer, i) => {
      const compressedHere = layer.mediaType.endsWith('.tar');
      expect(ourManifest.layers[i]?.mediaType).toBe(theirManifest.manifest.layers[i]?.mediaType);
      if (!compressedHere)
        expect(ourManifest.layers[i]?.digest).toBe(theirManifest.manifest.layers[i]?.digest);
    });
    if (src.manifest.layers.every((layer) => !layer.mediaType.endsWith('.tar')))
      expect(ours.digest).toBe(theirs.digest);
  });

  it('oci → oci-archive: skopeo reads our archive', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), spec());
    const ours = await copyImage(oci(`${src.layoutDir}:latest`), ociArchive(`${dir}/ours.tar:v1`));
    await expectSkopeoReads(`oci-archive:${dir}/ours.tar:v1`, ours, `${dir}/scratch`, src);
  });

  it('oci-archive → oci: we read skopeo’s archive', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), spec());
    await skopeoCopy(`oci:${src.layoutDir}:latest`, `oci-archive:${dir}/theirs.tar:v1`);
    const theirs = await skopeoInspect(`oci-archive:${dir}/theirs.tar:v1`, { raw: true });
    const ours = await copyImage(ociArchive(`${dir}/theirs.tar:v1`), oci(`${dir}/ours:v1`));
    expect(ours.digest).toBe(theirs.digest);
    expect(Buffer.from(ours.manifest)).toEqual(theirs.bytes);
    await verifyOciLayout(`${dir}/ours`);
    await expectSkopeoReads(`oci:${dir}/ours:v1`, ours, `${dir}/scratch`, src);
  });

  it('skopeo writes oci:, we read the same manifest and blobs', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), spec());
    await skopeoCopy(`oci:${src.layoutDir}:latest`, `oci:${dir}/theirs:v1`);
    await skopeoCopy(`oci:${src.layoutDir}:latest`, `oci:${dir}/theirs:v2`);
    const theirs = await skopeoInspect(`oci:${dir}/theirs:v2`, { raw: true });
    const source = await oci(`${dir}/theirs:v2`).newSource({});
    expect(Buffer.from((await source.getManifest()).bytes)).toEqual(theirs.bytes);
    await source.close();
    // skopeo's layout with two names: by name, and by position (which 1.9.3 itself refuses).
    const byName = await copyImage(oci(`${dir}/theirs:v1`), oci(`${dir}/ours:x`));
    const byIndex = await copyImage(oci(`${dir}/theirs:@1`), oci(`${dir}/ours:y`));
    expect(byName.digest).toBe(theirs.digest);
    expect(byIndex.digest).toBe(theirs.digest);
    await verifyOciLayout(`${dir}/ours`);
    expect((await skopeoInspect(`oci:${dir}/ours:y`, { raw: true })).digest).toBe(theirs.digest);
  });
});

describe('skopeo 1.9.3 and skopeo-ts agree on the multi-arch fixture', () => {
  it('multiArch all: the index and every instance are kept byte for byte', async () => {
    const dir = await tempDir();
    const src = await buildMultiArchIndex(join(dir, 'src'), fixtures.multiArch());
    const ours = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/ours:all`), {
      multiArch: 'all',
    });
    expect(ours.digest).toBe(src.indexDigest);
    const raw = await skopeoInspect(`oci:${dir}/ours:all`, { raw: true });
    expect(raw.bytes).toEqual(src.indexBytes);
    await skopeoCopy(`oci:${dir}/ours:all`, `oci:${dir}/theirs:all`, ['--all']);
    expect((await skopeoInspect(`oci:${dir}/theirs:all`, { raw: true })).digest).toBe(src.indexDigest);
    const verified = await verifyOciLayout(`${dir}/theirs`);
    expect(verified.manifests).toHaveLength(3);

    // And the other way: skopeo's --all copy read by us.
    const back = await copyImage(oci(`${dir}/theirs:all`), ociArchive(`${dir}/back.tar:all`), {
      multiArch: 'all',
    });
    expect(back.digest).toBe(src.indexDigest);
    expect((await skopeoInspect(`oci-archive:${dir}/back.tar:all`, { raw: true })).digest).toBe(
      src.indexDigest,
    );
  });

  it('default (system): the same instance as skopeo picks for this machine', async () => {
    const dir = await tempDir();
    const src = await buildMultiArchIndex(join(dir, 'src'), fixtures.multiArch());
    const ours = await copyImage(oci(`${src.layoutDir}:latest`), oci(`${dir}/ours:sys`));
    await skopeoCopy(`oci:${src.layoutDir}:latest`, `oci:${dir}/theirs:sys`);
    const theirs = await skopeoInspect(`oci:${dir}/theirs:sys`, { raw: true });
    expect(ours.digest).toBe(theirs.digest);
    expect(src.images.map((image) => image.manifestDigest)).toContain(ours.digest);
    expect((await skopeoInspect(`oci:${dir}/ours:sys`, { raw: true })).digest).toBe(theirs.digest);
  });
});
