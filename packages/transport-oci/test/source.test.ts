import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST, parseManifestBlob } from '@skopeo-ts/core';
import { buildMultiArchIndex, buildOciImage, fixtures } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { expectSkopeoError, oci, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('reading an OCI layout', () => {
  it('returns the named manifest exactly, and streams blobs with their size', async () => {
    const dir = await tempDir();
    const image = await buildOciImage(dir, fixtures.multiLayer(), { tag: 'v1' });
    const source = await oci(`${dir}:v1`).newSource({});
    try {
      const manifest = await source.getManifest();
      expect(manifest.mediaType).toBe(MEDIA_TYPE_OCI_MANIFEST);
      expect(Buffer.from(manifest.bytes)).toEqual(image.manifestBytes);
      const layer = image.layers[0];
      if (layer === undefined) throw new Error('fixture has layers');
      const blob = await source.getBlob({ digest: layer.digest as `sha256:${string}`, size: layer.size });
      expect(blob.size).toBe(layer.size);
      expect((await readAll(blob.stream)).length).toBe(layer.size);
      expect(await source.getSignatures()).toEqual([]);
    } finally {
      await source.close();
    }
  });

  it('reads list instances with the media type the index gives them', async () => {
    const dir = await tempDir();
    const built = await buildMultiArchIndex(dir, fixtures.multiArch());
    const source = await oci(dir).newSource({});
    try {
      const top = await source.getManifest();
      expect(top.mediaType).toBe(MEDIA_TYPE_OCI_INDEX);
      expect(Buffer.from(top.bytes)).toEqual(built.indexBytes);
      const arm = built.images[1];
      if (arm === undefined) throw new Error('fixture has 3 images');
      const instance = await source.getManifest(arm.manifestDigest as `sha256:${string}`);
      expect(instance.mediaType).toBe(MEDIA_TYPE_OCI_MANIFEST);
      expect(parseManifestBlob(instance).kind).toBe('oci-manifest');
      expect(Buffer.from(instance.bytes)).toEqual(arm.manifestBytes);
    } finally {
      await source.close();
    }
  });

  it('selects by @N, by the only entry, and explains an ambiguous layout', async () => {
    const dir = await tempDir();
    const a = await buildOciImage(dir, fixtures.single(), { tag: 'a' });
    const bSpec = fixtures.single();
    bSpec.labels = { b: 'yes' };
    const b = await buildOciImage(dir, bSpec, { tag: 'b' });
    const byIndex = await oci(`${dir}:@1`).newSource({});
    expect(Buffer.from((await byIndex.getManifest()).bytes)).toEqual(b.manifestBytes);
    await byIndex.close();
    const error = await expectSkopeoError(oci(dir).newSource({}), 'INVALID_REFERENCE');
    expect(error.message).toContain('the layout holds 2 images ("a", "b")');
    expect(error.message).toMatch(/PATH:NAME, or PATH:@N/);
    const only = join(await tempDir(), 'only');
    await buildOciImage(only, fixtures.single(), { tag: 'solo' });
    const single = await oci(only).newSource({});
    expect(Buffer.from((await single.getManifest()).bytes)).toEqual(a.manifestBytes);
    await single.close();
  });

  it('reports a missing layout, name or index as NOT_FOUND, naming path and reference', async () => {
    const dir = await tempDir();
    let error = await expectSkopeoError(oci(`${dir}/nothing:x`).newSource({}), 'NOT_FOUND');
    expect(error.message).toContain(`oci:${dir}/nothing:x`);
    expect(error.message).toContain(`${dir}/nothing/index.json does not exist`);
    await buildOciImage(dir, fixtures.single(), { tag: 'present' });
    error = await expectSkopeoError(oci(`${dir}:absent`).newSource({}), 'NOT_FOUND');
    expect(error.message).toContain('no image named "absent"');
    expect(error.message).toContain('it holds "present"');
    error = await expectSkopeoError(oci(`${dir}:@3`).newSource({}), 'NOT_FOUND');
    expect(error.message).toContain('index.json has 1 entries, so there is no @3');
    // An empty layout.
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await writeFile(join(empty, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    error = await expectSkopeoError(oci(empty).newSource({}), 'NOT_FOUND');
    expect(error.message).toContain('holds no image');
  });

  it('reads an image copied by digest of its platform instance (multiArch system)', async () => {
    const dir = await tempDir();
    const built = await buildMultiArchIndex(join(dir, 'src'), fixtures.multiArch());
    const result = await copyImage(oci(`${dir}/src:latest`), oci(`${dir}/dst:arm`), {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(result.digest).toBe(built.images[1]?.manifestDigest);
  });
});
