// Layers already in the store are reused; a layer whose DiffID is stored at another place in a
// chain (so under another ID) is rebuilt from the stored copy, as containers/image does.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, skopeoCopy, skopeoInspect } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { layerId } from '../src/index.js';
import { oci, podman, useTempDirs } from './helpers.js';

const temp = useTempDirs();

describe.each(['vfs', 'overlay'] as const)('%s: layer reuse', (setup) => {
  it('reuses stored layers and rebuilds a stored DiffID at a new place in a chain', async () => {
    const scratch = await temp.dir();
    const layout = `${scratch}/layout`;
    const full = await buildOciImage(layout, fixtures.multiLayer(), { tag: 'full' });
    const middle = full.layers[1];
    if (middle === undefined) throw new Error('the fixture has no second layer');
    const alone = await buildOciImage(
      layout,
      { layers: [{ blob: middle }], labels: { alone: 'yes' } },
      { tag: 'alone' },
    );
    const store = await temp.store(setup);
    await copyImage(oci(`${layout}:full`), store.ref('localhost/full:v1'));
    const progress: string[] = [];
    await copyImage(oci(`${layout}:full`), store.ref('localhost/again:v1'), {
      destinationContext: {},
      progress: (event) => {
        if (event.kind === 'blob-skipped' && event.isConfig !== true) progress.push(event.digest ?? '');
      },
    });
    expect(progress).toHaveLength(3);
    await copyImage(oci(`${layout}:alone`), store.ref('localhost/alone:v1'));

    const layers = JSON.parse(
      await readFile(join(store.graphRoot, `${store.driver}-layers/layers.json`), 'utf8'),
    ) as { id: string }[];
    expect(layers.map((layer) => layer.id)).toContain(layerId(undefined, alone.diffIds[0] as string));
    expect(layers).toHaveLength(4);
    await skopeoCopy(store.text('localhost/alone:v1'), `oci:${scratch}/out:x`, [
      '--dest-oci-accept-uncompressed-layers',
    ]);
    const manifest = JSON.parse(
      (await skopeoInspect(`oci:${scratch}/out:x`, { raw: true })).bytes.toString('utf8'),
    ) as {
      layers: { digest: string }[];
    };
    expect(manifest.layers.map((layer) => layer.digest)).toEqual(alone.diffIds);
    const listed = JSON.parse(await podman(store, ['images', '--format', 'json'])) as { Id: string }[];
    expect(new Set(listed.map((image) => image.Id)).size).toBe(2);
  });
});
