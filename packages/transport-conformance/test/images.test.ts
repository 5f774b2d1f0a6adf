// The generated images are what the whole suite stands on: real tars with the entries promised,
// configs whose diff_ids match, manifests that core parses, and the same bytes on every run.
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { digestOf, listInstances, parseManifest, type ParsedManifestList } from '@skopeo-ts/core';
import {
  buildImage,
  firstFileContentOffset,
  singleImagesOf,
  tarBytes,
  TEST_IMAGE_NAMES,
  TEST_PLATFORMS,
  testImage,
  testImages,
  uniqueImage,
} from '../src/index.js';

async function entriesOf(
  tar: Uint8Array,
): Promise<Array<{ name: string; type: string; linkname: string | null }>> {
  const extractor = extract();
  const entries: Array<{ name: string; type: string; linkname: string | null }> = [];
  const done = (async () => {
    for await (const entry of extractor) {
      entries.push({ name: entry.header.name, type: entry.header.type, linkname: entry.header.linkname });
      entry.resume();
    }
  })();
  extractor.end(Buffer.from(tar));
  await done;
  return entries;
}

describe('test images', () => {
  it('are all built, in TEST_IMAGE_NAMES order', async () => {
    expect((await testImages()).map((image) => image.name)).toEqual([...TEST_IMAGE_NAMES]);
  });

  it('have layers whose bytes match their digests, compression and diff_ids', async () => {
    for (const image of await testImages()) {
      for (const single of singleImagesOf(image)) {
        const config = JSON.parse(Buffer.from(single.config.bytes).toString()) as {
          rootfs: { diff_ids: string[] };
        };
        expect(config.rootfs.diff_ids).toEqual(single.layers.map((layer) => layer.diffID));
        for (const layer of single.layers) {
          expect(digestOf(layer.bytes)).toBe(layer.digest);
          const tar = layer.compression === 'gzip' ? gunzipSync(layer.bytes) : Buffer.from(layer.bytes);
          expect(digestOf(tar)).toBe(layer.diffID);
        }
        expect(parseManifest(single.manifest.bytes, single.manifest.mediaType).mediaType).toBe(
          single.manifest.mediaType,
        );
      }
    }
  });

  it('multi-layer holds whiteouts, an opaque whiteout, links, nested dirs and a long path', async () => {
    const image = await testImage('oci-multi-layer');
    if (image.kind !== 'image') throw new Error('not a single image');
    const [base, change] = await Promise.all(image.layers.slice(0, 2).map((layer) => entriesOf(layer.tar)));
    expect(base).toContainEqual({ name: 'usr/lib/deep/nested/', type: 'directory', linkname: null });
    expect(base).toContainEqual({ name: 'usr/lib/current', type: 'symlink', linkname: 'deep/nested' });
    expect(base).toContainEqual({
      name: 'usr/lib/readme-link',
      type: 'link',
      linkname: 'usr/lib/deep/nested/readme.txt',
    });
    const changed = change?.map((entry) => entry.name) ?? [];
    expect(changed).toContain('.wh.x');
    expect(changed).toContain('opt/app/.wh..wh..opq');
    expect(changed.some((name) => name.length > 100)).toBe(true);
  });

  it('multi-arch lists have amd64, arm64/v8 and arm/v7 in that order', async () => {
    for (const name of ['oci-multi-arch', 'docker-multi-arch'] as const) {
      const image = await testImage(name);
      const parsed = parseManifest(image.manifest.bytes, image.manifest.mediaType) as ParsedManifestList;
      expect(listInstances(parsed).map((instance) => instance.platform)).toEqual(TEST_PLATFORMS);
    }
  });

  it('are the same bytes when built again, and unique images are not', async () => {
    const spec = {
      name: 'again',
      format: 'oci' as const,
      layers: [{ entries: [], compression: 'gzip' as const }],
    };
    expect((await buildImage(spec)).manifest.digest).toBe((await buildImage(spec)).manifest.digest);
    expect((await uniqueImage('oci')).manifest.digest).not.toBe((await uniqueImage('oci')).manifest.digest);
  });

  it('firstFileContentOffset finds the first file body, past directories and empty files', async () => {
    const tar = await tarBytes([
      { type: 'dir', path: 'a' },
      { type: 'whiteout', path: 'a/gone' },
      { type: 'file', path: 'a/b', content: 'hello' },
    ]);
    const offset = firstFileContentOffset(tar);
    expect(offset).toBeDefined();
    expect(Buffer.from(tar.subarray(offset, (offset ?? 0) + 5)).toString()).toBe('hello');
  });
});
