// What a generated test image holds: every byte of it, with the digests a copy must preserve.
import type { Digest, Platform } from '@skopeo-ts/core';
import type { TarEntry } from './tar.js';

export type ImageFormat = 'oci' | 'docker';

/** Compression of a generated layer. */
export type TestLayerCompression = 'gzip' | 'none';

export interface TestBlob {
  digest: Digest;
  size: number;
  mediaType: string;
  bytes: Uint8Array;
}

export interface TestLayer extends TestBlob {
  compression: TestLayerCompression;
  /** Digest of the uncompressed tar: the config's diff_id, what "same contents" means. */
  diffID: Digest;
  /** The uncompressed tar. */
  tar: Uint8Array;
}

export interface TestManifest {
  bytes: Uint8Array;
  mediaType: string;
  digest: Digest;
}

export interface TestSingleImage {
  kind: 'image';
  name: string;
  format: ImageFormat;
  manifest: TestManifest;
  config: TestBlob;
  layers: TestLayer[];
  platform: Platform;
}

export interface TestIndex {
  kind: 'index';
  name: string;
  format: ImageFormat;
  manifest: TestManifest;
  /** In list order. */
  instances: TestSingleImage[];
}

export type TestImage = TestSingleImage | TestIndex;

export interface LayerSpec {
  entries: readonly TarEntry[];
  compression: TestLayerCompression;
}

export interface ImageSpec {
  name: string;
  format: ImageFormat;
  layers: readonly LayerSpec[];
  /** Default linux/amd64. */
  platform?: Platform;
}

export interface IndexSpec {
  name: string;
  format: ImageFormat;
  images: readonly ImageSpec[];
}

/** The single images of a test image: itself, or a list's instances. */
export function singleImagesOf(image: TestImage): TestSingleImage[] {
  return image.kind === 'image' ? [image] : image.instances;
}

/** Every blob (configs and layers) of a test image, each digest once. */
export function blobsOf(image: TestImage): TestBlob[] {
  const blobs = new Map<string, TestBlob>();
  for (const single of singleImagesOf(image)) {
    blobs.set(single.config.digest, single.config);
    for (const layer of single.layers) blobs.set(layer.digest, layer);
  }
  return [...blobs.values()];
}
