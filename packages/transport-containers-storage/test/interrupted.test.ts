// kill -9 in the middle of a layer leaves no image; the incomplete layer is removed the next
// time the store is opened for writing, by us or by podman, and a diff staged in the overlay
// driver's home by the next writer of ours. A damaged layers.json is an error
// and is left as it was.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, type TarEntrySpec } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { expectSkopeoError, oci, podman, spawnCopy, type TestStore, useTempDirs } from './helpers.js';

const temp = useTempDirs();

function bigLayer(): TarEntrySpec[] {
  const entries: TarEntrySpec[] = [{ type: 'dir', path: 'many' }];
  for (let i = 0; i < 3000; i++) entries.push({ type: 'file', path: `many/f${i}`, size: 2048 });
  entries.push({ type: 'file', path: 'big.bin', size: 96 * 1024 * 1024 });
  return entries;
}

async function layersText(store: TestStore): Promise<string> {
  return readFile(join(store.graphRoot, `${store.driver}-layers/layers.json`), 'utf8').catch(() => '');
}

function driverHome(store: TestStore): string {
  return store.driver === 'vfs' ? join(store.graphRoot, 'vfs/dir') : join(store.graphRoot, 'overlay');
}

const BIG = 'big';
/** `big`'s layer under a small one: its layer ID differs, so it is rebuilt from the stored one. */
const TWIN = 'twin';

/** A layout with `big`, `twin` and `small` (fixtures.single()). */
async function buildLayout(dir: string): Promise<string> {
  const layout = `${dir}/layout`;
  await buildOciImage(layout, { layers: [{ entries: bigLayer(), compression: 'none' }] }, { tag: BIG });
  await buildOciImage(
    layout,
    {
      layers: [
        { entries: [{ type: 'file', path: 'small.txt', size: 10 }], compression: 'none' },
        { entries: bigLayer(), compression: 'none' },
      ],
    },
    { tag: TWIN },
  );
  await buildOciImage(layout, fixtures.single(), { tag: 'small' });
  return layout;
}

/** The destination's staging directories in the overlay driver's home (diffs unpacked as received). */
async function overlayStaging(store: TestStore): Promise<string[]> {
  const names = await readdir(driverHome(store)).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith('skopeo-ts-storage-'));
}

type KillPoint = 'incomplete layer' | 'staged diff';

async function reached(store: TestStore, point: KillPoint): Promise<boolean> {
  if (point === 'incomplete layer') return (await layersText(store)).includes('"incomplete":true');
  for (const name of await overlayStaging(store)) {
    const blobs = await readdir(join(driverHome(store), name)).catch(() => [] as string[]);
    for (const blob of blobs) {
      const files = await readdir(join(driverHome(store), name, blob, 'many')).catch(() => [] as string[]);
      if (files.length > 100) return true;
    }
  }
  return false;
}

/** A store left by a writer killed at a point, and the temp dir that writer staged files in. */
interface Killed {
  store: TestStore;
  staging: string;
}

const KILL_ATTEMPTS = 4;

/**
 * Kills a child copying `tag` into a new store (after `prepare`) once it reached `point`. On a busy
 * machine the child can move past the point between our look and the kill, so what is left is
 * looked at again after the kill; an attempt that missed starts over with a new store.
 */
async function killCopyAt(
  setup: 'vfs' | 'overlay',
  layout: string,
  tag: string,
  point: KillPoint,
  prepare: (store: TestStore) => Promise<void> = async () => {},
): Promise<Killed> {
  const missed: string[] = [];
  for (let attempt = 1; attempt <= KILL_ATTEMPTS; attempt++) {
    const store = await temp.store(setup);
    await prepare(store);
    const staging = await temp.dir();
    const child = spawnCopy([{ src: `oci:${layout}:${tag}`, dest: store.text(`localhost/${tag}:v1`) }], {
      tmpDir: staging,
    });
    const deadline = Date.now() + 120_000;
    let ended: unknown;
    while (ended === undefined && !(await reached(store, point))) {
      if (Date.now() > deadline) throw new Error(`the child never reached: ${point}`);
      ended = await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5, undefined))]);
    }
    child.kill('SIGKILL');
    const exit = await child.exited;
    if (ended === undefined && exit.signal === 'SIGKILL' && (await reached(store, point)))
      return { store, staging };
    missed.push(
      ended === undefined ? `moved past it (${JSON.stringify(exit)})` : `ended (${JSON.stringify(ended)})`,
    );
  }
  throw new Error(
    `the child was never killed at "${point}" in ${KILL_ATTEMPTS} attempts: ${missed.join('; ')}`,
  );
}

/**
 * Kills a writer while a layer is untarred under the `incomplete` flag. vfs untars every layer
 * then; overlay unpacks diffs as they arrive (before any record), so it is killed while rebuilding
 * a stored layer at a new place in a chain (`twin` over a store that has `big`).
 */
async function killMidLayer(setup: 'vfs' | 'overlay', layout: string): Promise<Killed & { kept: string[] }> {
  if (setup === 'vfs') return { ...(await killCopyAt(setup, layout, BIG, 'incomplete layer')), kept: [] };
  const killed = await killCopyAt(setup, layout, TWIN, 'incomplete layer', async (store) => {
    await copyImage(oci(`${layout}:${BIG}`), store.ref(`localhost/${BIG}:v1`));
  });
  return { ...killed, kept: [`localhost/${BIG}:v1`] };
}

function layerRecords(text: string): { id: string; flags?: unknown }[] {
  return JSON.parse(text) as { id: string; flags?: unknown }[];
}

describe.each(['vfs', 'overlay'] as const)('%s: interrupted writes', (setup) => {
  it('kill -9 mid-layer leaves no image; our next write removes the incomplete layer', async () => {
    const layout = await buildLayout(await temp.dir());
    const { store, staging, kept } = await killMidLayer(setup, layout);
    const complete = layerRecords(await layersText(store)).filter((layer) => layer.flags === undefined);
    expect(await readdir(staging)).toHaveLength(1);
    const names = (listing: string) => (JSON.parse(listing) as { Names: string[] }[]).map((i) => i.Names);
    expect(names(await podman(store, ['images', '--format', 'json']))).toEqual(kept.map((name) => [name]));
    await expectSkopeoError(
      store.ref(`localhost/${setup === 'vfs' ? BIG : TWIN}:v1`).newSource({}),
      'NOT_FOUND',
    );

    await copyImage(oci(`${layout}:small`), store.ref('localhost/small:v1'), {
      destinationContext: { tmpDir: staging },
    });
    // The killed writer's staging directory went with the next writer's start.
    expect(await readdir(staging)).toEqual([]);
    const layers = layerRecords(await layersText(store));
    expect(layers).toHaveLength(complete.length + 1);
    expect(layers.some((layer) => layer.flags !== undefined)).toBe(false);
    const listed = names(await podman(store, ['images', '--format', 'json'])).sort();
    expect(listed).toEqual([...kept.map((name) => [name]), ['localhost/small:v1']].sort());
  });

  it('podman removes what a killed writer left when it next opens the store', async () => {
    const layout = await buildLayout(await temp.dir());
    const { store } = await killMidLayer(setup, layout);
    const incomplete = layerRecords(await layersText(store)).filter((layer) => layer.flags !== undefined);
    expect(incomplete).toHaveLength(1);
    await podman(store, ['images']);
    const layers = layerRecords(await layersText(store));
    expect(layers.some((layer) => layer.flags !== undefined)).toBe(false);
    const left = await readdir(driverHome(store));
    const ids = layers.map((layer) => layer.id).sort();
    expect(left.filter((name) => /^[0-9a-f]{64}$/.test(name)).sort()).toEqual(ids);
    if (setup === 'overlay') expect(await readdir(join(driverHome(store), 'l'))).toHaveLength(ids.length);
  });
});

describe('overlay: a writer killed while diffs unpack as they arrive', () => {
  it('leaves nothing podman sees, and our next write removes its staging', async () => {
    const layout = await buildLayout(await temp.dir());
    const { store, staging } = await killCopyAt('overlay', layout, BIG, 'staged diff');
    expect(await overlayStaging(store)).toHaveLength(1);
    expect(await layersText(store)).not.toContain('"id"');
    expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toEqual([]);

    await copyImage(oci(`${layout}:small`), store.ref('localhost/small:v1'), {
      destinationContext: { tmpDir: staging },
    });
    expect(await overlayStaging(store)).toEqual([]);
    expect(await readdir(staging)).toEqual([]);
    const listed = JSON.parse(await podman(store, ['images', '--format', 'json'])) as { Names: string[] }[];
    expect(listed.map((image) => image.Names)).toEqual([['localhost/small:v1']]);
  });
});

describe('a damaged layers.json', () => {
  it('is a clear error for readers and writers, and is never overwritten', async () => {
    const scratch = await temp.dir();
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'v1' });
    const store = await temp.store('vfs');
    await copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/one:v1'));
    const path = join(store.graphRoot, 'vfs-layers/layers.json');
    const damaged = `${(await readFile(path, 'utf8')).slice(0, 40)}`;
    await writeFile(path, damaged);
    const readError = await expectSkopeoError(store.ref('localhost/one:v1').newSource({}), 'CORRUPT');
    expect(readError.message).toContain(path);
    await expectSkopeoError(copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/two:v1')), 'CORRUPT');
    expect(await readFile(path, 'utf8')).toBe(damaged);
  });
});
