// skopeo 1.9.3 as the oracle: what it writes into a store we read with the same digests, our
// records match its records, and images move names and delete the way it does.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, runSkopeoChecked, skopeoCopy } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { DRIVER_SETUPS, expectSkopeoError, oci, podman, useTempDirs } from './helpers.js';

const temp = useTempDirs();

interface LayerJson {
  id: string;
  parent?: string;
  'diff-digest': string;
  'diff-size': number;
  'compressed-diff-digest': string;
  uidset?: number[];
  gidset?: number[];
  compression?: number;
  flags?: unknown;
}

interface StoreDirs {
  graphRoot: string;
  driver: string;
}

/** The store's only image record. */
async function imageJson(store: StoreDirs): Promise<{ id: string; digest: string }> {
  const images = JSON.parse(
    await readFile(join(store.graphRoot, `${store.driver}-images/images.json`), 'utf8'),
  ) as { id: string; digest: string }[];
  expect(images).toHaveLength(1);
  return images[0] as { id: string; digest: string };
}

/** The image's `manifest` big data, as stored. */
function manifestOf(store: StoreDirs, id: string): Promise<Buffer> {
  return readFile(join(store.graphRoot, `${store.driver}-images`, id, 'manifest'));
}

async function layersJson(graphRoot: string, driver: string): Promise<LayerJson[]> {
  return JSON.parse(await readFile(join(graphRoot, `${driver}-layers/layers.json`), 'utf8')) as LayerJson[];
}

describe.each(DRIVER_SETUPS)('%s store shared with skopeo', (setup) => {
  it('reads what skopeo wrote with the DiffIDs as layer digests, and writes the same layer records', async () => {
    const scratch = await temp.dir();
    const image = await buildOciImage(`${scratch}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    const theirs = await temp.store(setup);
    await skopeoCopy(`oci:${scratch}/layout:v1`, theirs.text('localhost/demo:v1'));
    const copied = await copyImage(theirs.ref('localhost/demo:v1'), oci(`${scratch}/out:v1`), {
      destinationContext: { ociAcceptUncompressedLayers: true },
    });
    const layers = (
      JSON.parse(Buffer.from(copied.manifest).toString('utf8')) as { layers: { digest: string }[] }
    ).layers;
    expect(layers.map((layer) => layer.digest)).toEqual(image.diffIds);

    const ours = await temp.store(setup);
    await copyImage(oci(`${scratch}/layout:v1`), ours.ref('localhost/demo:v1'));
    const strip = ({ id, parent, uidset, gidset, ...rest }: LayerJson) => ({
      id,
      parent,
      uidset,
      gidset,
      diff: rest['diff-digest'],
      size: rest['diff-size'],
      compressed: rest['compressed-diff-digest'],
      compression: rest.compression,
    });
    const theirRecords = (await layersJson(theirs.graphRoot, theirs.driver)).map(strip);
    const ourRecords = (await layersJson(ours.graphRoot, ours.driver)).map(strip);
    // Both keep the blob as sent (gzip here): the same compressed digests and compression.
    expect(ourRecords).toEqual(theirRecords);
    // …and the manifest as written, so the image has the source's digest, as skopeo's has.
    const [ourImage, theirImage] = [await imageJson(ours), await imageJson(theirs)];
    expect(ourImage.digest).toBe(image.descriptor.digest);
    expect(ourImage.digest).toBe(theirImage.digest);
    expect(await manifestOf(ours, ourImage.id)).toEqual(await manifestOf(theirs, theirImage.id));
  });

  it('a name moves to the image written last; skopeo delete and our delete remove images and unused layers', async () => {
    const scratch = await temp.dir();
    await buildOciImage(`${scratch}/layout`, fixtures.multiLayer(), { tag: 'multi' });
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'single' });
    const store = await temp.store(setup);
    await copyImage(oci(`${scratch}/layout:multi`), store.ref('localhost/app:1'));
    await copyImage(oci(`${scratch}/layout:multi`), store.ref('localhost/app:2'));
    await copyImage(oci(`${scratch}/layout:single`), store.ref('localhost/app:1'));
    const listed = JSON.parse(await podman(store, ['images', '--format', 'json'])) as { Names?: string[] }[];
    expect(listed.map((image) => image.Names ?? []).sort()).toEqual([
      ['localhost/app:1'],
      ['localhost/app:2'],
    ]);

    // Ours: the multi-layer image (and its layers) go; the other image stays readable.
    await store.ref('localhost/app:2').delete({});
    await expectSkopeoError(store.ref('localhost/app:2').newSource({}), 'NOT_FOUND');
    expect(await layersJson(store.graphRoot, store.driver)).toHaveLength(1);
    await skopeoCopy(store.text('localhost/app:1'), `oci:${scratch}/after-delete:x`);

    // skopeo's delete of an image we wrote.
    await runSkopeoChecked(['delete', store.text('localhost/app:1')]);
    expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toEqual([]);
    expect(await layersJson(store.graphRoot, store.driver)).toEqual([]);
    const driverDir = setup === 'vfs' ? join(store.graphRoot, 'vfs/dir') : join(store.graphRoot, 'overlay');
    expect((await readdir(driverDir)).filter((name) => /^[0-9a-f]{64}$/.test(name))).toEqual([]);
  });

  it('deletes an image skopeo wrote, and finds images by ID and ID prefix', async () => {
    const scratch = await temp.dir();
    const image = await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'v1' });
    const store = await temp.store(setup);
    await skopeoCopy(`oci:${scratch}/layout:v1`, store.text('localhost/one:v1'));
    const id = image.configDigest.replace('sha256:', '');
    for (const ref of [id, id.slice(0, 12), `localhost/one:v1@${id}`, `@${id}`]) {
      const source = await store.ref(ref).newSource({});
      await source.close();
    }
    await store.ref(id.slice(0, 5)).delete({});
    expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toEqual([]);
    expect(await layersJson(store.graphRoot, store.driver)).toEqual([]);
  });

  it('names with digests are stored as skopeo stores them, newest first', async () => {
    const scratch = await temp.dir();
    const image = await buildOciImage(`${scratch}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    const names = [`localhost/x@${image.manifestDigest}`, `localhost/y:1@${image.manifestDigest}`];
    const ours = await temp.store(setup);
    const theirs = await temp.store(setup);
    for (const name of names) {
      await copyImage(oci(`${scratch}/layout:v1`), ours.ref(name));
      await skopeoCopy(`oci:${scratch}/layout:v1`, theirs.text(name));
    }
    const namesOf = async (graphRoot: string, driver: string) =>
      (
        JSON.parse(await readFile(join(graphRoot, `${driver}-images/images.json`), 'utf8')) as {
          names: string[];
        }[]
      )[0]?.names;
    expect(await namesOf(ours.graphRoot, ours.driver)).toEqual(
      await namesOf(theirs.graphRoot, theirs.driver),
    );
    expect(await namesOf(ours.graphRoot, ours.driver)).toEqual([...names].reverse());
    // Named by digest, the manifest is kept as it is: the layers stay the gzip blobs.
    const source = await ours.ref(names[0] as string).newSource({});
    try {
      expect(Buffer.from((await source.getManifest()).bytes)).toEqual(image.manifestBytes);
    } finally {
      await source.close();
    }
    await expectSkopeoError(
      copyImage(oci(`${scratch}/layout:v1`), ours.ref(`localhost/z@sha256:${'0'.repeat(64)}`)),
      'DIGEST_MISMATCH',
    );
  });
});

describe('an image a container uses', () => {
  it('is not deleted', async () => {
    const scratch = await temp.dir();
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'v1' });
    const store = await temp.store('vfs');
    await copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/used:v1'));
    await podman(store, ['create', '--name', 'user', 'localhost/used:v1', 'true']);
    const error = await expectSkopeoError(store.ref('localhost/used:v1').delete({}), 'CONFLICT');
    expect(error.message).toContain('in use by container');
    expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toHaveLength(1);
    await podman(store, ['rm', 'user']);
    await store.ref('localhost/used:v1').delete({});
    expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toEqual([]);
  });
});
