// What a destination must have stored for a given test image, under its storage policy: the same
// bytes when it keeps the manifest type and the layers' compression, else a consistent conversion
// (same config, same layer contents, media types that say the compression the layers have).
import { expect } from 'vitest';
import {
  type CopyResult,
  configInfo,
  digestOf,
  isParsedManifestList,
  layerInfos,
  layerMediaTypeCompression,
  listInstances,
  matchesPlatform,
  parseManifestBlob,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from '@skopeo-ts/core';
import type { TestImage, TestLayer, TestLayerCompression, TestSingleImage } from './images/types.js';
import type { ReadImage, ReadSingleImage } from './read-image.js';
import type { StoragePolicy } from './target.js';

const IMAGE_TYPES: readonly string[] = [MEDIA_TYPE_DOCKER_V2S2_MANIFEST, MEDIA_TYPE_OCI_MANIFEST];
const LIST_TYPES: readonly string[] = [MEDIA_TYPE_DOCKER_V2_LIST, MEDIA_TYPE_OCI_INDEX];

/** The manifest type a destination with `policy` stores for a manifest of `mediaType`. */
export function expectedManifestType(mediaType: string, policy: StoragePolicy): string {
  const { manifestTypes } = policy;
  if (manifestTypes === undefined || manifestTypes.includes(mediaType)) return mediaType;
  const family = LIST_TYPES.includes(mediaType) ? LIST_TYPES : IMAGE_TYPES;
  const converted = manifestTypes.find((type) => family.includes(type));
  if (converted === undefined)
    throw new Error(`the target stores no manifest type that ${mediaType} converts to`);
  return converted;
}

export function expectedLayerCompression(layer: TestLayer, policy: StoragePolicy): TestLayerCompression {
  if (policy.storedLayerCompression !== undefined) return policy.storedLayerCompression;
  switch (policy.layerCompression) {
    case 'preserve':
      return layer.compression;
    case 'compress':
      return 'gzip';
    case 'decompress':
      return 'none';
  }
}

/** Whether the destination keeps the image byte for byte (so its digests too). */
export function storedUnchanged(image: TestImage, policy: StoragePolicy): boolean {
  if (policy.storesOwnManifest === true) return false;
  if (expectedManifestType(image.manifest.mediaType, policy) !== image.manifest.mediaType) return false;
  const singles = image.kind === 'image' ? [image] : image.instances;
  return singles.every(
    (single) =>
      expectedManifestType(single.manifest.mediaType, policy) === single.manifest.mediaType &&
      single.layers.every((layer) => expectedLayerCompression(layer, policy) === layer.compression),
  );
}

function expectSingleStored(
  read: ReadSingleImage,
  image: TestSingleImage,
  policy: StoragePolicy,
  what: string,
): void {
  expect(read.parsed.mediaType, `${what}: manifest type`).toBe(
    expectedManifestType(image.manifest.mediaType, policy),
  );
  if (storedUnchanged(image, policy)) {
    expect(read.digest, `${what}: the manifest must keep its digest`).toBe(image.manifest.digest);
  }
  expect(read.config && digestOf(read.config), `${what}: the config must keep its bytes`).toBe(
    image.config.digest,
  );
  expect(read.layers.length, `${what}: number of layers`).toBe(image.layers.length);
  image.layers.forEach((layer, i) => {
    const stored = read.layers[i];
    const where = `${what}: layer ${i + 1}`;
    if (stored === undefined) return;
    const compression = expectedLayerCompression(layer, policy);
    expect(stored.diffID, `${where} must have the same uncompressed tar`).toBe(layer.diffID);
    expect(stored.compression, `${where}: compression`).toBe(compression);
    if (compression === layer.compression) {
      expect(stored.info.digest, `${where} must keep its digest`).toBe(layer.digest);
    }
    const declared = stored.info.mediaType && layerMediaTypeCompression(stored.info.mediaType);
    expect(declared, `${where}: media type ${stored.info.mediaType} must say the layer's compression`).toBe(
      compression,
    );
  });
}

/** Checks that `read` (from the target) is what a destination with `policy` stores for `image`. */
export function expectStored(read: ReadImage, image: TestImage, policy: StoragePolicy, what: string): void {
  if (image.kind === 'image') {
    expect(read.kind, `${what}: a single image`).toBe('image');
    if (read.kind === 'image') expectSingleStored(read, image, policy, what);
    return;
  }
  expect(read.kind, `${what}: a manifest list`).toBe('index');
  if (read.kind !== 'index') return;
  expect(read.parsed.mediaType, `${what}: list type`).toBe(
    expectedManifestType(image.manifest.mediaType, policy),
  );
  if (storedUnchanged(image, policy)) {
    expect(read.digest, `${what}: the list must keep its digest`).toBe(image.manifest.digest);
  }
  const entries = listInstances(read.parsed);
  expect(entries.length, `${what}: number of list entries`).toBe(image.instances.length);
  image.instances.forEach((instance, i) => {
    const entry = entries[i];
    const stored = read.instances[i];
    const where = `${what}: ${instance.platform.architecture} instance`;
    expect(
      entry?.platform !== undefined && matchesPlatform(entry.platform, instance.platform),
      `${where}: list entry ${i + 1} must keep its platform`,
    ).toBe(true);
    if (stored) expectSingleStored(stored, instance, policy, where);
  });
}

/** The config digest a single-image manifest names (undefined for lists and schema 1). */
function writtenConfigDigest(result: CopyResult): string | undefined {
  const parsed = parseManifestBlob({ bytes: result.manifest, mediaType: result.mediaType });
  if (isParsedManifestList(parsed)) return undefined;
  return configInfo(parsed)?.digest;
}

/**
 * Whether `stored` is the image a copy reported writing: the same manifest digest, or for a
 * store that makes its own manifests, the same config (which names the layers by DiffID).
 */
export function isWrittenImage(result: CopyResult, stored: ReadImage, policy: StoragePolicy): boolean {
  if (policy.storesOwnManifest !== true) return result.digest === stored.digest;
  if (stored.kind !== 'image' || stored.config === undefined) return false;
  return writtenConfigDigest(result) === digestOf(stored.config);
}

/** Checks that `stored` is what copyImage reported writing (see isWrittenImage). */
export function expectWrittenImage(
  result: CopyResult,
  stored: ReadImage,
  policy: StoragePolicy,
  what: string,
): void {
  if (policy.storesOwnManifest !== true) {
    expect(result.digest, `${what}: copyImage must report the digest the target stored`).toBe(stored.digest);
    return;
  }
  expect(stored.kind, `${what}: a single image`).toBe('image');
  if (stored.kind !== 'image') return;
  const written = parseManifestBlob({ bytes: result.manifest, mediaType: result.mediaType });
  expect(isParsedManifestList(written), `${what}: copyImage wrote a single image`).toBe(false);
  if (isParsedManifestList(written)) return;
  expect(
    configInfo(written)?.digest,
    `${what}: the manifest copyImage wrote and the one the store made must name the same config`,
  ).toBe(stored.config && digestOf(stored.config));
  expect(layerInfos(written).length, `${what}: number of layers written and stored`).toBe(
    stored.layers.length,
  );
}

/**
 * Checks that `actual` holds the image `expected` was read as (a lossless copy of it). When the
 * source served layers in another form than its manifest names (`servedAs`), a copy of it names
 * those instead: then the manifest differs, and the config and served layers must be the same.
 */
export function expectSameImage(actual: ReadImage, expected: ReadImage, what: string): void {
  expect(actual.kind, `${what}: kind`).toBe(expected.kind);
  const singles = (read: ReadImage) => (read.kind === 'image' ? [read] : read.instances);
  const reserved = singles(expected).some((single) => single.layers.some((layer) => layer.servedAs));
  if (!reserved) expect(actual.digest, `${what}: manifest digest`).toBe(expected.digest);
  const layersOf = (read: ReadImage) =>
    singles(read).map((single) => ({
      ...(reserved ? { config: single.config && digestOf(single.config) } : { digest: single.digest }),
      layers: single.layers.map((layer) => `${(layer.servedAs ?? layer.info).digest} ${layer.diffID}`),
    }));
  expect(layersOf(actual), `${what}: images and layers`).toEqual(layersOf(expected));
}
