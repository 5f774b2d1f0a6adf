// The API the docker-daemon transport builds on: openArchiveSource and
// createArchiveStreamDestination, end to end (checked with skopeo 1.9.3 where it reads the result).
import { createWriteStream } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  parseDockerReference,
} from '@skopeo-ts/core';
import { skopeoInspect } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { createArchiveStreamDestination, openArchiveSource } from '../src/index.js';
import {
  archive,
  copy,
  destinationReference,
  multiLayerImage,
  oci,
  readImage,
  useTempDirs,
} from './helpers.js';

const tempDir = useTempDirs();

/** Streams one image through createArchiveStreamDestination into `path`. */
async function streamImage(layout: string, path: string, layerCompression: 'decompress' | 'preserve') {
  const output = new PassThrough();
  const written = pipeline(output, createWriteStream(path));
  const reference = archive(path);
  const destination = await createArchiveStreamDestination({
    output,
    reference,
    tags: [
      parseDockerReference('example.com/daemon/app:1'),
      parseDockerReference('example.com/daemon/app:2'),
    ],
    layerCompression,
    ctx: {},
  });
  await copy(oci(`${layout}:latest`), destinationReference(destination));
  await written;
}

describe('createArchiveStreamDestination', () => {
  it("'decompress' writes a docker-save tar with uncompressed layers that skopeo reads", async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/stream.tar`;
    await streamImage(built.layoutDir, path, 'decompress');
    expect((await skopeoInspect(`docker-archive:${path}:example.com/daemon/app:2`)).json.Layers).toEqual(
      built.diffIds,
    );
    const image = await readImage(archive(path));
    expect(image.parsed.config.digest).toBe(built.configDigest);
    expect(image.parsed.layers.map((layer) => layer.mediaType)).toEqual(
      built.diffIds.map(() => MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR),
    );
  });

  it("'preserve' keeps gzip layers as they are (the engine decompresses them on load)", async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/stream.tar`;
    await streamImage(built.layoutDir, path, 'preserve');
    const image = await readImage(archive(path));
    expect(image.parsed.config.digest).toBe(built.configDigest);
    expect(image.parsed.layers.map((layer) => layer.digest)).toEqual(built.layerDigests);
    expect(image.parsed.layers.map((layer) => layer.mediaType)).toEqual(
      built.layers.map((layer) =>
        layer.compression === 'gzip' ? MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP : MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
      ),
    );
    // skopeo reads gzip layers of an archive too, and reports their DiffIDs.
    expect((await skopeoInspect(`docker-archive:${path}`)).json.Layers).toEqual(built.diffIds);
  });

  it('close() without commit destroys the output with an error', async () => {
    const dir = await tempDir();
    const output = new PassThrough();
    const failed = new Promise<Error>((resolve) => output.once('error', resolve));
    output.resume();
    const destination = await createArchiveStreamDestination({
      output,
      reference: archive(`${dir}/never.tar`),
      tags: [],
      layerCompression: 'decompress',
      ctx: {},
    });
    await destination.close();
    expect((await failed).message).toContain('closed without commit');
  });
});

describe('createArchiveStreamDestination failures', () => {
  it('an output that fails mid-archive fails the copy (no hang), with the output error', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    let written = 0;
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        callback(written > 4096 ? new Error('disk full (test)') : null);
      },
    });
    output.on('error', () => {});
    const destination = await createArchiveStreamDestination({
      output,
      reference: archive(`${dir}/x.tar`),
      tags: [],
      layerCompression: 'decompress',
      ctx: {},
    });
    await expect(copy(oci(`${built.layoutDir}:latest`), destinationReference(destination))).rejects.toThrow(
      /disk full \(test\)/,
    );
  });
});

describe('openArchiveSource', () => {
  it('opens the image a selector names and reports the given reference', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/stream.tar`;
    await streamImage(built.layoutDir, path, 'decompress');
    const reported = archive(`${path}:example.com/daemon/app:1`);
    for (const selector of [
      undefined,
      { index: 0 },
      { name: parseDockerReference('example.com/daemon/app:2') },
    ]) {
      const source = await openArchiveSource({ path, selector, reference: reported, ctx: {} });
      try {
        expect(source.reference).toBe(reported);
        const manifest = JSON.parse(Buffer.from((await source.getManifest()).bytes).toString('utf8'));
        expect(manifest.config.digest).toBe(built.configDigest);
      } finally {
        await source.close();
      }
    }
  });
});
