// containers-storage cases: oci → containers-storage (overlay, vfs) and containers-storage → oci
// (overlay, vfs), each run in a store of its own (`[driver@GRAPHROOT+RUNROOT]`, the same form for
// both tools, so both use the same driver with no other options). The stores that sources read
// are written once by skopeo. Dominated by filesystem work (unpacking 5 layers, or walking and
// compressing them), and noisy on a shared machine: judged by the minimum of the runs.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unmountAllUnder } from '@skopeo-ts/testkit';
import { type BenchCase, DEST_TAG } from './cases.js';
import { verifyRecompressedLayout } from './engine-cases.js';
import type { BenchImage } from './image.js';

export type StorageDriver = 'overlay' | 'vfs';

export { STORAGE_CASE_IDS } from './cases.js';

/** The image's name in every store (containers-storage records it as docker.io/bench/out:v1). */
export const STORAGE_IMAGE = 'bench/out:v1';
const STORED_NAME = `docker.io/${STORAGE_IMAGE}`;

/** Drivers whose source store (written once by skopeo) the wanted cases read. */
export function sourceDriversFor(wanted: (id: string) => boolean): StorageDriver[] {
  const drivers: StorageDriver[] = [];
  if (wanted('storage-oci')) drivers.push('overlay');
  if (wanted('storage-vfs-oci')) drivers.push('vfs');
  return drivers;
}

/** A store: its graph root and run root, both inside `dir`. */
export interface Store {
  driver: StorageDriver;
  graphRoot: string;
  runRoot: string;
}

export function storeIn(dir: string, driver: StorageDriver): Store {
  return { driver, graphRoot: join(dir, 'graph'), runRoot: join(dir, 'run') };
}

/** `containers-storage:[driver@GRAPHROOT+RUNROOT]bench/out:v1`, understood by skopeo and by ours. */
export function storageReference(store: Store): string {
  return `containers-storage:[${store.driver}@${store.graphRoot}+${store.runRoot}]${STORAGE_IMAGE}`;
}

function hexOf(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

interface StoredImage {
  id: string;
  names?: string[];
  layer?: string;
}

interface StoredLayer {
  id: string;
  parent?: string;
  'diff-digest'?: string;
  'diff-size'?: number;
}

async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`${what} is missing: ${path}`);
  }
  return JSON.parse(text) as T;
}

/** Where the driver keeps a layer's files. */
function layerDataDir(store: Store, layerId: string): string {
  return store.driver === 'overlay'
    ? join(store.graphRoot, 'overlay', layerId, 'diff')
    : join(store.graphRoot, 'vfs', 'dir', layerId);
}

/**
 * The store holds bench/out:v1 as the bench image: its ID is the config digest, its top layer's
 * chain has the image's DiffIDs in order, each with the layer tar's size and files unpacked.
 * Read from the store's own JSON (no podman: it would add mounts of its own).
 */
export async function verifyStore(
  store: Store,
  image: BenchImage,
  diffIDs: readonly string[],
): Promise<void> {
  const prefix = join(store.graphRoot, `${store.driver}-`);
  const images = await readJson<StoredImage[]>(`${prefix}images/images.json`, 'the images list');
  const stored = images.find((entry) => entry.names?.includes(STORED_NAME));
  if (stored === undefined) throw new Error(`${store.graphRoot}: no image is named ${STORED_NAME}`);
  if (stored.id !== hexOf(image.configDigest)) {
    throw new Error(
      `${store.graphRoot}: ${STORED_NAME} is image ${stored.id}, expected ${hexOf(image.configDigest)}`,
    );
  }
  const layers = new Map(
    (await readJson<StoredLayer[]>(`${prefix}layers/layers.json`, 'the layers list')).map((layer) => [
      layer.id,
      layer,
    ]),
  );
  const chain: StoredLayer[] = [];
  for (let id = stored.layer; id !== undefined && id !== ''; ) {
    const layer = layers.get(id);
    if (layer === undefined || chain.length > diffIDs.length) {
      throw new Error(`${store.graphRoot}: layer ${id} is missing, or the chain is too long`);
    }
    chain.unshift(layer);
    id = layer.parent;
  }
  const found = chain.map((layer) => layer['diff-digest'] ?? '?');
  if (found.join(',') !== diffIDs.join(',')) {
    throw new Error(
      `${store.graphRoot}: the image's layers are ${found.join(', ') || 'none'}, expected ${diffIDs.join(', ')}`,
    );
  }
  for (const [index, layer] of chain.entries()) {
    const expected = image.layers[index]?.uncompressedSize;
    if (layer['diff-size'] !== expected) {
      throw new Error(
        `${store.graphRoot}: layer ${layer.id} has diff-size ${layer['diff-size']}, expected ${expected}`,
      );
    }
    const entries = await readdir(layerDataDir(store, layer.id)).catch(() => []);
    if (entries.length === 0) throw new Error(`${store.graphRoot}: layer ${layer.id} has no files unpacked`);
  }
}

/**
 * Drops what skopeo (containers-storage) leaves mounted under `dir` (the private bind mount of
 * GRAPHROOT/overlay, any layer mounts), so that the store can be deleted.
 */
export function unmountStore(dir: string): void {
  unmountAllUnder(dir);
}

export interface StorageCaseInputs {
  image: BenchImage;
  diffIDs: readonly string[];
  /** The source stores (written once by skopeo) for containers-storage → oci, by driver. */
  sources: Partial<Record<StorageDriver, Store>>;
}

export function storageCases({ image, diffIDs, sources }: StorageCaseInputs): BenchCase[] {
  const into = (driver: StorageDriver): Omit<BenchCase, 'id' | 'label'> => ({
    source: image.reference,
    destination: (path) => storageReference(storeIn(path, driver)),
    verify: (path) => verifyStore(storeIn(path, driver), image, diffIDs),
    // A fresh store per run; nothing mounted under its path before, nothing left after.
    prepare: async (path) => unmountStore(path),
    release: async (path) => unmountStore(path),
    statistic: 'min',
  });
  const from = (driver: StorageDriver): Omit<BenchCase, 'id' | 'label'> | undefined => {
    const store = sources[driver];
    if (store === undefined) return undefined;
    return {
      source: storageReference(store),
      destination: (path) => `oci:${path}:${DEST_TAG}`,
      verify: (path) => verifyRecompressedLayout(path, image),
      statistic: 'min',
    };
  };
  const cases: BenchCase[] = [
    { id: 'oci-storage-overlay', label: 'oci → containers-storage (overlay)', ...into('overlay') },
    { id: 'oci-storage-vfs', label: 'oci → containers-storage (vfs)', ...into('vfs') },
  ];
  const overlaySource = from('overlay');
  if (overlaySource)
    cases.push({ id: 'storage-oci', label: 'containers-storage (overlay) → oci', ...overlaySource });
  const vfsSource = from('vfs');
  if (vfsSource) cases.push({ id: 'storage-vfs-oci', label: 'containers-storage (vfs) → oci', ...vfsSource });
  return cases;
}
