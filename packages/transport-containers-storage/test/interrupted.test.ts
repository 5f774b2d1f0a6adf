// kill -9 in the middle of a layer leaves no image; the incomplete layer is removed the next
// time the store is opened for writing, by us or by podman. A damaged layers.json is an error
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

/** Kills a child copying into `store` while it unpacks a layer; its staging stays in `staging`. */
async function killMidLayer(store: TestStore, layout: string, staging: string): Promise<void> {
  const child = spawnCopy([{ src: `oci:${layout}:big`, dest: store.text('localhost/big:v1') }], {
    tmpDir: staging,
  });
  const deadline = Date.now() + 120_000;
  while (!(await layersText(store)).includes('"incomplete":true')) {
    if (Date.now() > deadline) throw new Error('the child never started a layer');
    const early = await Promise.race([
      child.exited,
      new Promise((resolve) => setTimeout(resolve, 5, undefined)),
    ]);
    if (early !== undefined)
      throw new Error(`the child ended before it was killed: ${JSON.stringify(early)}`);
  }
  child.kill('SIGKILL');
  expect((await child.exited).signal).toBe('SIGKILL');
}

describe.each(['vfs', 'overlay'] as const)('%s: interrupted writes', (setup) => {
  it('kill -9 mid-layer leaves no image; our next write removes the incomplete layer', async () => {
    const scratch = await temp.dir();
    await buildOciImage(
      `${scratch}/layout`,
      { layers: [{ entries: bigLayer(), compression: 'none' }] },
      { tag: 'big' },
    );
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'small' });
    const store = await temp.store(setup);
    const staging = await temp.dir();
    await killMidLayer(store, `${scratch}/layout`, staging);
    expect(await readdir(staging)).toHaveLength(1);
    expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toEqual([]);
    await expectSkopeoError(store.ref('localhost/big:v1').newSource({}), 'NOT_FOUND');

    await copyImage(oci(`${scratch}/layout:small`), store.ref('localhost/small:v1'), {
      destinationContext: { tmpDir: staging },
    });
    // The killed writer's staging directory went with the next writer's start.
    expect(await readdir(staging)).toEqual([]);
    const layers = JSON.parse(await layersText(store)) as { flags?: unknown }[];
    expect(layers).toHaveLength(1);
    expect(layers.some((layer) => layer.flags !== undefined)).toBe(false);
    const listed = JSON.parse(await podman(store, ['images', '--format', 'json'])) as { Names: string[] }[];
    expect(listed.map((image) => image.Names)).toEqual([['localhost/small:v1']]);
  });

  it('podman removes what a killed writer left when it next opens the store', async () => {
    const scratch = await temp.dir();
    await buildOciImage(
      `${scratch}/layout`,
      { layers: [{ entries: bigLayer(), compression: 'none' }] },
      { tag: 'big' },
    );
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'small' });
    const store = await temp.store(setup);
    await killMidLayer(store, `${scratch}/layout`, await temp.dir());
    expect(await layersText(store)).toContain('"incomplete":true');
    await podman(store, ['images']);
    expect(await layersText(store)).toBe('[]');
    const left = await readdir(driverHome(store));
    expect(left.filter((name) => /^[0-9a-f]{64}$/.test(name))).toEqual([]);
    if (setup === 'overlay') expect(await readdir(join(driverHome(store), 'l'))).toEqual([]);
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
