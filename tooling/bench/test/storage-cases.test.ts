import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BenchImage } from '../src/image.js';
import {
  type Store,
  sourceDriversFor,
  storageCases,
  storageReference,
  storeIn,
  verifyStore,
} from '../src/storage-cases.js';

const hex = (c: string) => c.repeat(64);
const diffIDs = [`sha256:${hex('d')}`, `sha256:${hex('e')}`];

const image: BenchImage = {
  name: 'base',
  key: 'k',
  layoutDir: '/x/layout',
  tag: 'bench',
  reference: 'oci:/x/layout:bench',
  manifestDigest: `sha256:${hex('a')}`,
  configDigest: `sha256:${hex('b')}`,
  layers: [
    { digest: `sha256:${hex('1')}`, size: 10, uncompressedSize: 100, source: '/usr/lib' },
    { digest: `sha256:${hex('2')}`, size: 20, uncompressedSize: 200, source: '/usr/share' },
  ],
  compressedBytes: 30,
  uncompressedBytes: 300,
  buildSeconds: 1,
  builtAt: '2024-01-01T00:00:00Z',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-storage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A store as containers-storage writes its metadata: images.json, layers.json, layer files. */
async function writeStore(
  store: Store,
  options: { id?: string; sizes?: number[]; unpacked?: boolean; name?: string } = {},
): Promise<void> {
  const prefix = join(store.graphRoot, `${store.driver}-`);
  await mkdir(`${prefix}images`, { recursive: true });
  await mkdir(`${prefix}layers`, { recursive: true });
  const layers = diffIDs.map((diffID, index) => ({
    id: diffID.slice(7),
    ...(index > 0 ? { parent: (diffIDs[index - 1] as string).slice(7) } : {}),
    'diff-digest': diffID,
    'diff-size': options.sizes?.[index] ?? image.layers[index]?.uncompressedSize,
  }));
  await writeFile(`${prefix}layers/layers.json`, JSON.stringify(layers));
  await writeFile(
    `${prefix}images/images.json`,
    JSON.stringify([
      {
        id: options.id ?? hex('b'),
        names: [options.name ?? 'docker.io/bench/out:v1'],
        layer: layers[layers.length - 1]?.id,
      },
    ]),
  );
  if (options.unpacked === false) return;
  for (const layer of layers) {
    const data =
      store.driver === 'overlay'
        ? join(store.graphRoot, 'overlay', layer.id, 'diff')
        : join(store.graphRoot, 'vfs', 'dir', layer.id);
    await mkdir(join(data, 'usr'), { recursive: true });
  }
}

describe('storage references', () => {
  it('names the driver, graph root and run root, the same for both tools', () => {
    expect(storageReference(storeIn('/w/run-1', 'overlay'))).toBe(
      'containers-storage:[overlay@/w/run-1/graph+/w/run-1/run]bench/out:v1',
    );
  });

  it('prepares a source store only for the cases that read one', () => {
    expect(sourceDriversFor((id) => id === 'oci-storage-vfs')).toEqual([]);
    expect(sourceDriversFor(() => true)).toEqual(['overlay', 'vfs']);
  });

  it('judges every containers-storage case by the minimum', () => {
    const store = storeIn('/w/source', 'overlay');
    const cases = storageCases({ image, diffIDs, sources: { overlay: store } });
    expect(cases.map((c) => c.id)).toEqual(['oci-storage-overlay', 'oci-storage-vfs', 'storage-oci']);
    expect(cases.every((c) => c.statistic === 'min')).toBe(true);
    expect(cases[2]?.source).toBe(storageReference(store));
  });
});

describe('verifyStore', () => {
  for (const driver of ['overlay', 'vfs'] as const) {
    it(`accepts a ${driver} store holding the image`, async () => {
      const store = storeIn(dir, driver);
      await writeStore(store);
      await expect(verifyStore(store, image, diffIDs)).resolves.toBeUndefined();
    });
  }

  it('rejects an empty store, a wrong image, missing files and short layers', async () => {
    const store = storeIn(dir, 'overlay');
    await expect(verifyStore(store, image, diffIDs)).rejects.toThrow(/missing/);
    await writeStore(store, { id: hex('f') });
    await expect(verifyStore(store, image, diffIDs)).rejects.toThrow(/expected b{64}/);
    await rm(dir, { recursive: true, force: true });
    await writeStore(store, { name: 'docker.io/other:v1' });
    await expect(verifyStore(store, image, diffIDs)).rejects.toThrow(/no image is named/);
    await rm(dir, { recursive: true, force: true });
    await writeStore(store, { unpacked: false });
    await expect(verifyStore(store, image, diffIDs)).rejects.toThrow(/no files unpacked/);
    await rm(dir, { recursive: true, force: true });
    await writeStore(store, { sizes: [100, 5] });
    await expect(verifyStore(store, image, diffIDs)).rejects.toThrow(/diff-size 5/);
    await expect(verifyStore(store, image, [...diffIDs, `sha256:${hex('9')}`])).rejects.toThrow(/layers are/);
  });
});
