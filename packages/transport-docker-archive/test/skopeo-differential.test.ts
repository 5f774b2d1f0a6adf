// Differential tests against skopeo 1.9.3 (Debian package "skopeo"), both ways: archives we write
// are read by skopeo with the same DiffIDs and config digest; archives skopeo writes are read by us.
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR, parseDockerReference } from '@skopeo-ts/core';
import { runSkopeo, skopeoCopy, skopeoInspect } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport } from '../src/index.js';
import {
  archive,
  copy,
  destinationReference,
  expectSkopeoError,
  multiLayerImage,
  oci,
  readImage,
  singleImage,
  useTempDirs,
} from './helpers.js';

const tempDir = useTempDirs();
const POLICY = ['--insecure-policy'];

describe('archives we write, read by skopeo 1.9.3', () => {
  it('a single image with additional tags: same DiffIDs, config digest and tags', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/ours.tar`;
    await copy(oci(`${built.layoutDir}:latest`), archive(`${path}:example.com/app:v1`), {
      destinationContext: { dockerArchiveAdditionalTags: ['quay.io/extra/name:2'] },
    });
    const inspected = await skopeoInspect(`docker-archive:${path}`);
    expect(inspected.json.Layers).toEqual(built.diffIds);
    const config = await skopeoInspect(`docker-archive:${path}`, { raw: true, config: true });
    expect(config.digest).toBe(built.configDigest);
    const byExtraTag = await skopeoInspect(`docker-archive:${path}:quay.io/extra/name:2`);
    expect(byExtraTag.json.Layers).toEqual(built.diffIds);
    const tags = await runSkopeo(['list-tags', `docker-archive:${path}`]);
    expect(JSON.parse(tags.stdout)).toEqual({ Tags: ['example.com/app:v1', 'quay.io/extra/name:2'] });
    // skopeo copies it on into an OCI layout (converting the config, so compare its DiffIDs).
    await skopeoCopy(`docker-archive:${path}`, `oci:${dir}/back:x`, POLICY);
    const back = await skopeoInspect<{ rootfs: { diff_ids: string[] } }>(`oci:${dir}/back:x`, {
      config: true,
    });
    expect(back.json.rootfs.diff_ids).toEqual(built.diffIds);
    // And the docker-save layout's files are there as skopeo writes them.
    const ours = await readImage(archive(path));
    expect(ours.parsed.layers.map((layer) => layer.digest)).toEqual(built.diffIds);
  });

  it('several images in one archive: skopeo reads each by @N and by name', async () => {
    const dir = await tempDir();
    const first = await singleImage(`${dir}/a`, 'latest', 'first');
    const second = await multiLayerImage(dir);
    const path = `${dir}/multi.tar`;
    const multi = await archive(path).newMultiImageDestination?.({});
    if (multi === undefined) throw new Error('docker-archive has no multi-image destination');
    try {
      const named = await multi.nextImage({ dockerReference: parseDockerReference('example.com/first:1') });
      await copy(oci(`${first.layoutDir}:latest`), destinationReference(named));
      const untagged = await multi.nextImage({});
      await copy(oci(`${second.layoutDir}:latest`), destinationReference(untagged));
      await multi.commit();
    } finally {
      await multi.close();
    }
    const at0 = await skopeoInspect(`docker-archive:${path}:@0`, { raw: true, config: true });
    const at1 = await skopeoInspect(`docker-archive:${path}:@1`, { raw: true, config: true });
    expect(at0.digest).toBe(first.configDigest);
    expect(at1.digest).toBe(second.configDigest);
    expect((await skopeoInspect(`docker-archive:${path}:example.com/first:1`)).json.Layers).toEqual(
      first.diffIds,
    );
    expect((await skopeoInspect(`docker-archive:${path}:@1`)).json.Layers).toEqual(second.diffIds);
    const tags = await runSkopeo(['list-tags', `docker-archive:${path}`]);
    expect(JSON.parse(tags.stdout)).toEqual({ Tags: ['example.com/first:1', '@1'] });
    const ours = await dockerArchiveTransport.listTags?.(archive(path), {});
    expect(ours).toEqual({ repository: '', tags: ['example.com/first:1', '@1'] });
    // Without a choice, skopeo refuses too; we list the images.
    expect((await runSkopeo(['inspect', `docker-archive:${path}`])).exitCode).not.toBe(0);
    const error = await expectSkopeoError(readImage(archive(path)), 'INVALID_REFERENCE');
    expect(error.message).toContain('@0 (example.com/first:1), @1 (untagged)');
  });
});

describe('archives skopeo 1.9.3 writes, read by us', () => {
  async function skopeoArchive(dir: string) {
    const built = await multiLayerImage(dir);
    const path = `${dir}/skopeo.tar`;
    await skopeoCopy(`oci:${built.layoutDir}:latest`, `docker-archive:${path}:example.com/app:v1`, [
      ...POLICY,
      '--additional-tag',
      'quay.io/extra/name:2',
    ]);
    return { built, path };
  }

  it('reads the image, by tag and by additional tag, with skopeo digests', async () => {
    const dir = await tempDir();
    const { built, path } = await skopeoArchive(dir);
    for (const rest of [path, `${path}:example.com/app:v1`, `${path}:quay.io/extra/name:2`, `${path}:@0`]) {
      const image = await readImage(archive(rest));
      expect(image.parsed.config.digest, rest).toBe(built.configDigest);
      expect(image.parsed.layers.map((layer) => layer.digest)).toEqual(built.diffIds);
      expect(image.parsed.layers.every((layer) => layer.mediaType === MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR)).toBe(
        true,
      );
    }
    const tags = await dockerArchiveTransport.listTags?.(archive(path), {});
    const skopeoTags = JSON.parse((await runSkopeo(['list-tags', `docker-archive:${path}`])).stdout) as {
      Tags: string[];
    };
    expect(tags?.tags).toEqual(skopeoTags.Tags);
    await expectSkopeoError(readImage(archive(`${path}:example.com/app:nope`)), 'NOT_FOUND');
    await expectSkopeoError(readImage(archive(`${path}:@1`)), 'NOT_FOUND');
  });

  it('copies it to an OCI layout that skopeo reads with the same config', async () => {
    const dir = await tempDir();
    const { built, path } = await skopeoArchive(dir);
    await copy(archive(path), oci(`${dir}/out:copied`));
    const inspected = await skopeoInspect(`oci:${dir}/out:copied`, { raw: true, config: true });
    expect(inspected.digest).toBe(built.configDigest);
    expect((await skopeoInspect(`oci:${dir}/out:copied`)).json.Layers.length).toBe(built.diffIds.length);
  });

  it('reads a gzip-compressed archive (detected by its bytes, whatever its name)', async () => {
    const dir = await tempDir();
    const { built, path } = await skopeoArchive(dir);
    for (const name of ['skopeo.tar.gz', 'no-extension']) {
      await pipeline(createReadStream(path), createGzip(), createWriteStream(`${dir}/${name}`));
      const image = await readImage(archive(`${dir}/${name}:example.com/app:v1`));
      expect(image.parsed.config.digest).toBe(built.configDigest);
      expect(image.parsed.layers.map((layer) => layer.digest)).toEqual(built.diffIds);
    }
  });
});

describe('existing files, as skopeo 1.9.3', () => {
  it('refuses to overwrite a non-empty file with skopeo’s message, and leaves it alone', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/existing.tar`;
    await writeFile(path, 'not empty\n');
    const skopeo = await runSkopeo([
      'copy',
      ...POLICY,
      `oci:${built.layoutDir}:latest`,
      `docker-archive:${path}`,
    ]);
    expect(skopeo.exitCode).toBe(1);
    expect(skopeo.stderr).toContain("docker-archive doesn't support modifying existing images");
    const error = await expectSkopeoError(copy(oci(`${built.layoutDir}:latest`), archive(path)), 'CONFLICT');
    expect(error.message).toContain("docker-archive doesn't support modifying existing images");
    expect(error.message).toContain(path);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path, 'utf8')).toBe('not empty\n');
  });

  it('writes into an existing empty file, as skopeo does', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/empty.tar`;
    await writeFile(path, '');
    await copy(oci(`${built.layoutDir}:latest`), archive(path));
    const config = await skopeoInspect(`docker-archive:${path}`, { raw: true, config: true });
    expect(config.digest).toBe(built.configDigest);
  });
});
