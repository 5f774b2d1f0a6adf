// Reading every docker save layout real tools produce: Docker ≤ 24 (dockerd 20.10), Docker 25+
// (OCI layout inside), layers stored gzip-compressed or not, several images per archive.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import {
  copyImage,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
} from '@skopeo-ts/core';
import { runSkopeo, skopeoInspect } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport } from '../src/index.js';
import { archive, expectSkopeoError, oci, readImage, useTempDirs } from './helpers.js';
import {
  docker20Layout,
  docker25Layout,
  fixtureImage,
  sha256,
  writeTarFile,
} from './fixtures/docker-save.js';

const tempDir = useTempDirs();

const layouts = { 'Docker 20 (legacy)': docker20Layout, 'Docker 25+ (OCI layout)': docker25Layout } as const;

for (const [layoutName, layout] of Object.entries(layouts)) {
  describe(`${layoutName} archives`, () => {
    it('an uncompressed single image: the layer digests are the DiffIDs, as skopeo reports', async () => {
      const dir = await tempDir();
      const image = await fixtureImage('one', ['busybox:latest']);
      const path = `${dir}/save.tar`;
      await writeTarFile(path, layout([image]));
      for (const rest of [
        path,
        `${path}:busybox`,
        `${path}:docker.io/library/busybox:latest`,
        `${path}:@0`,
      ]) {
        const read = await readImage(archive(rest));
        expect(read.parsed.config.digest, rest).toBe(image.configDigest);
        expect(read.parsed.layers).toEqual(
          image.layers.map((layer, i) => ({
            mediaType: MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
            size: layer.length,
            digest: image.diffIds[i],
          })),
        );
      }
      // skopeo agrees on what the archive holds.
      expect((await skopeoInspect(`docker-archive:${path}`)).json.Layers).toEqual(image.diffIds);
      // And the image copies out whole (the engine verifies every digest).
      await copyImage(archive(path), oci(`${dir}/out:x`));
      const config = await skopeoInspect(`oci:${dir}/out:x`, { raw: true, config: true });
      expect(config.digest).toBe(image.configDigest);
    });

    it('gzip-compressed layers: reported as gzip with the digest of the stored bytes', async () => {
      const dir = await tempDir();
      const image = await fixtureImage('gz', ['app:1']);
      const path = `${dir}/save.tar`;
      await writeTarFile(path, layout([image], { gzipLayers: true }));
      const read = await readImage(archive(path));
      expect(read.parsed.config.digest).toBe(image.configDigest);
      expect(read.parsed.layers.map((layer) => layer.mediaType)).toEqual(
        image.layers.map(() => MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP),
      );
      // Copied to a docker-archive they are decompressed again: DiffIDs come back.
      await copyImage(archive(path), archive(`${dir}/again.tar`));
      expect(
        (await readImage(archive(`${dir}/again.tar`))).parsed.layers.map((layer) => layer.digest),
      ).toEqual(image.diffIds);
    });

    it('several images (sharing a base layer): chosen by @N or by name; ambiguity lists them', async () => {
      const dir = await tempDir();
      const first = await fixtureImage('first', ['first:1', 'first:latest'], { sharedBase: true });
      const second = await fixtureImage('second', ['example.com/second:2'], { sharedBase: true });
      const third = await fixtureImage('third', [], { sharedBase: true });
      const path = `${dir}/save.tar`;
      await writeTarFile(path, layout([first, second, third]));
      const cases: [string, string][] = [
        [`${path}:@0`, first.configDigest],
        [`${path}:first:latest`, first.configDigest],
        [`${path}:docker.io/library/first:1`, first.configDigest],
        [`${path}:@1`, second.configDigest],
        [`${path}:example.com/second:2`, second.configDigest],
        [`${path}:@2`, third.configDigest],
      ];
      for (const [rest, digest] of cases) {
        const read = await readImage(archive(rest));
        expect(read.parsed.config.digest, rest).toBe(digest);
      }
      const shared = (await readImage(archive(`${path}:@2`))).parsed.layers[0]?.digest;
      expect(shared).toBe(first.diffIds[0]);
      const error = await expectSkopeoError(readImage(archive(path)), 'INVALID_REFERENCE');
      expect(error.message).toContain('holds 3 images');
      expect(error.message).toContain('@0 (first:1, first:latest), @1 (example.com/second:2), @2 (untagged)');
      const missing = await expectSkopeoError(readImage(archive(`${path}:@3`)), 'NOT_FOUND');
      expect(missing.message).toContain('holds 3 image(s)');
      await expectSkopeoError(readImage(archive(`${path}:other:1`)), 'NOT_FOUND');
      const tags = await dockerArchiveTransport.listTags?.(archive(path), {});
      expect(tags).toEqual({
        repository: '',
        tags: ['first:1', 'first:latest', 'example.com/second:2', '@2'],
      });
      expect(JSON.parse((await runSkopeo(['list-tags', `docker-archive:${path}`])).stdout)).toEqual({
        Tags: tags?.tags,
      });
      // As skopeo, a suffix does not narrow the listing.
      expect(await dockerArchiveTransport.listTags?.(archive(`${path}:@1`), {})).toEqual(tags);
      const suffixed = await runSkopeo(['list-tags', `docker-archive:${path}:@1`]);
      expect(JSON.parse(suffixed.stdout)).toEqual({ Tags: tags?.tags });
    });
  });
}

describe('other compressions', () => {
  it('a zstd-compressed archive is refused clearly (not supported yet)', async () => {
    const dir = await tempDir();
    const path = `${dir}/save.tar.zst`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    const error = await expectSkopeoError(readImage(archive(path)), 'UNSUPPORTED');
    expect(error.message).toContain('zstd-compressed');
  });

  it('a gzip-compressed Docker 20 archive read through a pipe', async () => {
    const dir = await tempDir();
    const image = await fixtureImage('piped', ['piped:1']);
    const { gzipSync } = await import('node:zlib');
    const { writeFile } = await import('node:fs/promises');
    const { execFileSync } = await import('node:child_process');
    const tar = await writeTarFile(`${dir}/plain.tar`, docker20Layout([image]));
    await writeFile(`${dir}/save.tar.gz`, gzipSync(tar));
    const fifo = `${dir}/fifo`;
    execFileSync('mkfifo', [fifo]);
    const { createWriteStream } = await import('node:fs');
    const feeding = pipeline(createReadStream(`${dir}/save.tar.gz`), createWriteStream(fifo));
    const read = await readImage(archive(fifo));
    await feeding;
    expect(read.parsed.config.digest).toBe(image.configDigest);
    expect(sha256(image.layers[0] ?? Buffer.alloc(0))).toBe(read.parsed.layers[0]?.digest);
  });
});
