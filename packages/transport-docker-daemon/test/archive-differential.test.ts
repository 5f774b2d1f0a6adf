// docker-archive: files against the Docker engine's own image load and save (dockerd 20.10, one
// per file): archives our docker-archive transport writes, one image or several, `docker load`
// (POST /images/load) loads with the same layer DiffIDs and tags; an archive `docker save`
// (GET /images/NAME/get) writes, our docker-archive transport reads with the same DiffIDs and
// config, and `skopeo inspect docker-archive:FILE` (skopeo 1.9.3) says the same.
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  copyImage,
  digestOf,
  type ImageDestination,
  type ImageReference,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  parseDockerReference,
} from '@skopeo-ts/core';
import {
  type BuiltImage,
  buildOciImage,
  fixtures,
  type ImageSpec,
  runSkopeoChecked,
  skopeoInspect,
  startDockerd,
} from '@skopeo-ts/testkit';
import { readImage } from '@skopeo-ts/transport-conformance';
import { dockerArchiveTransport } from '@skopeo-ts/transport-docker-archive';
import { describe, expect, it } from 'vitest';
import { oci, uniqueName, useEngine, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const { ctx, engine } = useEngine(() => startDockerd());

interface SchemaTwo {
  config: { digest: string };
  layers: { mediaType: string; size: number; digest: string }[];
}

const archive = (rest: string): ImageReference => dockerArchiveTransport.parseReference(rest);

/** A fixture image whose label makes its config (and so its image ID) unique to this run. */
function labelledImage(
  layout: string,
  label: string,
  fixture: () => ImageSpec = fixtures.single,
): Promise<BuiltImage> {
  const spec = fixture();
  return buildOciImage(layout, { ...spec, labels: { ...spec.labels, 'org.skopeo-ts.test': label } });
}

/** A reference whose newDestination() hands out `destination`: one part of a multi-image archive. */
function partReference(destination: ImageDestination): ImageReference {
  return Object.create(destination.reference, { newDestination: { value: async () => destination } });
}

/** `docker load` of the file at `path`; the engine's "Loaded image…" lines. */
async function dockerLoad(path: string): Promise<string[]> {
  const lines = await engine().client.loadImage(createReadStream(path));
  return lines
    .flatMap((line) => ((JSON.parse(line) as { stream?: string }).stream ?? '').split('\n'))
    .map((text) => text.trim())
    .filter((text) => text !== '');
}

/** What the engine knows of `name`: image ID, DiffIDs and tags; fails when it has no such image. */
async function engineImage(name: string) {
  const inspected = await engine().client.inspectImage(name);
  if (inspected === undefined) throw new Error(`the engine has no image ${name}`);
  return { id: inspected.Id, diffIds: inspected.RootFS.Layers, tags: inspected.RepoTags };
}

describe('archives written by our docker-archive: transport, loaded by dockerd (docker load)', () => {
  it('one image with an additional tag: the engine has it under both tags, with the same DiffIDs', async () => {
    const dir = await tempDir();
    const image = await buildOciImage(join(dir, 'source'), fixtures.multiLayer());
    const name = `${uniqueName('archive-load')}:v1`;
    const extra = `${uniqueName('archive-load-extra')}:2`;
    const path = join(dir, 'one.tar');
    await copyImage(oci(`${image.layoutDir}:latest`), archive(`${path}:${name}`), {
      destinationContext: { dockerArchiveAdditionalTags: [extra] },
    });

    const loaded = await dockerLoad(path);
    expect(loaded).toContain(`Loaded image: ${name}`);
    expect(loaded).toContain(`Loaded image: ${extra}`);
    for (const tag of [name, extra]) {
      const inEngine = await engineImage(tag);
      expect(inEngine.id, `${tag}: the image ID is the config digest`).toBe(image.configDigest);
      expect(inEngine.diffIds, `${tag}: DiffIDs`).toEqual(image.diffIds);
      expect([...inEngine.tags].sort()).toEqual([name, extra].sort());
    }
  });

  it('several images in one archive (newMultiImageDestination): each loads with its tags and DiffIDs', async () => {
    const dir = await tempDir();
    const first = await labelledImage(join(dir, 'first'), uniqueName('first'));
    const second = await labelledImage(join(dir, 'second'), uniqueName('second'), fixtures.multiLayer);
    const untagged = await labelledImage(join(dir, 'untagged'), uniqueName('untagged'));
    const firstName = `${uniqueName('multi-first')}:v1`;
    const secondName = `${uniqueName('multi-second')}:v2`;
    const path = join(dir, 'multi.tar');
    const multi = await archive(path).newMultiImageDestination?.({});
    if (multi === undefined) throw new Error('docker-archive has no multi-image destination');
    try {
      for (const [image, name] of [
        [first, firstName],
        [second, secondName],
        [untagged, undefined],
      ] as const) {
        const part = await multi.nextImage(
          name === undefined ? {} : { dockerReference: parseDockerReference(name) },
        );
        await copyImage(oci(`${image.layoutDir}:latest`), partReference(part));
      }
      await multi.commit();
    } finally {
      await multi.close();
    }

    const loaded = await dockerLoad(path);
    expect(loaded).toContain(`Loaded image: ${firstName}`);
    expect(loaded).toContain(`Loaded image: ${secondName}`);
    expect(loaded).toContain(`Loaded image ID: ${untagged.configDigest}`);
    for (const [image, name] of [
      [first, firstName],
      [second, secondName],
    ] as const) {
      const inEngine = await engineImage(name);
      expect(inEngine.id, name).toBe(image.configDigest);
      expect(inEngine.diffIds, name).toEqual(image.diffIds);
      expect(inEngine.tags, name).toEqual([name]);
    }
    const byId = await engineImage(untagged.configDigest);
    expect(byId.diffIds).toEqual(untagged.diffIds);
    expect(byId.tags).toEqual([]);
  });
});

describe('archives written by dockerd (docker save), read by our docker-archive: transport', () => {
  /** Loads `image` into the engine with skopeo (not our writer) and saves it to a file. */
  async function savedByEngine(dir: string, image: BuiltImage, name: string): Promise<string> {
    await runSkopeoChecked([
      'copy',
      '--dest-daemon-host',
      ctx.daemonHost ?? '',
      `oci:${image.layoutDir}:latest`,
      `docker-daemon:${name}`,
    ]);
    const path = join(dir, 'saved.tar');
    await pipeline(await engine().client.getImage(name), createWriteStream(path));
    return path;
  }

  it.each([
    ['single', fixtures.single],
    ['multi-layer (whiteouts, symlinks, an uncompressed layer)', fixtures.multiLayer],
  ])('%s: the same DiffIDs and config digest, and skopeo inspect agrees', async (_label, spec) => {
    const dir = await tempDir();
    const image = await buildOciImage(join(dir, 'source'), spec());
    const name = `${uniqueName('saved')}:v1`;
    const path = await savedByEngine(dir, image, name);

    for (const rest of [path, `${path}:${name}`, `${path}:@0`]) {
      const read = await readImage(archive(rest), {});
      if (read.kind !== 'image') throw new Error(`${rest} is not a single image`);
      expect(read.config && digestOf(read.config), `${rest}: config digest`).toBe(image.configDigest);
      expect(
        read.layers.map((layer) => layer.diffID),
        `${rest}: DiffIDs`,
      ).toEqual(image.diffIds);
      // dockerd saves layers uncompressed: each layer's digest is its DiffID.
      expect(read.layers.map((layer) => layer.info.digest)).toEqual(image.diffIds);

      const theirs = await skopeoInspect(`docker-archive:${rest}`);
      expect(theirs.json.Layers, `${rest}: skopeo's Layers`).toEqual(read.layers.map((l) => l.info.digest));
      // The manifests both make of the archive are the same but for one field: skopeo 1.9.3 calls
      // every docker-save layer gzip (…diff.tar.gzip) whatever it holds; we say what it is.
      const theirManifest = await skopeoInspect<SchemaTwo>(`docker-archive:${rest}`, { raw: true });
      expect(theirs.json.Digest).toBe(theirManifest.digest);
      const ours = JSON.parse(Buffer.from(read.manifest.bytes).toString('utf8')) as SchemaTwo;
      expect(ours.layers.every((layer) => layer.mediaType === MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR)).toBe(true);
      expect(
        theirManifest.json.layers.every((layer) => layer.mediaType === MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP),
      ).toBe(true);
      const withoutLayerTypes = (manifest: SchemaTwo) => ({
        ...manifest,
        layers: manifest.layers.map(({ mediaType: _type, ...rest }) => rest),
      });
      expect(withoutLayerTypes(ours)).toEqual(withoutLayerTypes(theirManifest.json));
      const theirConfig = await skopeoInspect(`docker-archive:${rest}`, { raw: true, config: true });
      expect(theirConfig.digest, `${rest}: skopeo's config digest`).toBe(image.configDigest);
    }

    // And it copies on: docker-archive → OCI keeps the config bytes and the DiffIDs.
    const result = await copyImage(archive(path), oci(`${dir}/back:v1`));
    const back = await readImage(oci(`${dir}/back:v1`));
    expect(back.digest).toBe(result.digest);
    if (back.kind !== 'image') throw new Error('the copy is not a single image');
    expect(back.config && digestOf(back.config)).toBe(image.configDigest);
    expect(back.layers.map((layer) => layer.diffID)).toEqual(image.diffIds);
  });
});
