// Builds test images from specs: real tar layers (gzip or not), an image config whose diff_ids
// match, and manifests serialized by core exactly as containers/image would write them.
import { gzipSync } from 'node:zlib';
import {
  digestOf,
  manifestDigest,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_GZIP,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
  type Platform,
  serializeDockerManifestList,
  serializeDockerV2S2Manifest,
  serializeOciIndex,
  serializeOciManifest,
} from '@skopeo-ts/core';
import { FIXED_DATE, tarBytes } from './tar.js';
import type {
  ImageFormat,
  ImageSpec,
  IndexSpec,
  LayerSpec,
  TestBlob,
  TestIndex,
  TestLayer,
  TestManifest,
  TestSingleImage,
} from './types.js';

const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

function layerMediaType(format: ImageFormat, compression: LayerSpec['compression']): string {
  if (format === 'oci') return compression === 'gzip' ? MEDIA_TYPE_OCI_LAYER_GZIP : MEDIA_TYPE_OCI_LAYER_TAR;
  return compression === 'gzip' ? MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP : MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR;
}

export async function buildLayer(spec: LayerSpec, format: ImageFormat): Promise<TestLayer> {
  const tar = await tarBytes(spec.entries);
  // gzipSync writes mtime 0 in its header, so the compressed bytes are deterministic too.
  const bytes = spec.compression === 'gzip' ? new Uint8Array(gzipSync(tar)) : tar;
  return {
    digest: digestOf(bytes),
    size: bytes.length,
    mediaType: layerMediaType(format, spec.compression),
    bytes,
    compression: spec.compression,
    diffID: digestOf(tar),
    tar,
  };
}

function buildConfig(format: ImageFormat, platform: Platform, layers: readonly TestLayer[]): TestBlob {
  const config = {
    created: FIXED_DATE.toISOString(),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
    config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/bin/sh'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffID) },
    history: layers.map((_, i) => ({
      created: FIXED_DATE.toISOString(),
      created_by: `skopeo-ts transport-conformance layer ${i + 1}`,
    })),
  };
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(config)));
  return {
    digest: digestOf(bytes),
    size: bytes.length,
    mediaType: format === 'oci' ? MEDIA_TYPE_OCI_CONFIG : MEDIA_TYPE_DOCKER_V2S2_CONFIG,
    bytes,
  };
}

function manifestOf(bytes: Uint8Array, mediaType: string): TestManifest {
  return { bytes, mediaType, digest: manifestDigest(bytes, mediaType) };
}

function descriptor(blob: TestBlob): { mediaType: string; digest: TestBlob['digest']; size: number } {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}

export async function buildImage(spec: ImageSpec): Promise<TestSingleImage> {
  const platform = spec.platform ?? DEFAULT_PLATFORM;
  const layers: TestLayer[] = [];
  for (const layer of spec.layers) layers.push(await buildLayer(layer, spec.format));
  const config = buildConfig(spec.format, platform, layers);
  const manifest =
    spec.format === 'oci'
      ? manifestOf(
          serializeOciManifest({
            schemaVersion: 2,
            mediaType: MEDIA_TYPE_OCI_MANIFEST,
            config: descriptor(config),
            layers: layers.map(descriptor),
          }),
          MEDIA_TYPE_OCI_MANIFEST,
        )
      : manifestOf(
          serializeDockerV2S2Manifest({
            schemaVersion: 2,
            mediaType: MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
            config: descriptor(config),
            layers: layers.map(descriptor),
          }),
          MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
        );
  return { kind: 'image', name: spec.name, format: spec.format, manifest, config, layers, platform };
}

export async function buildIndex(spec: IndexSpec): Promise<TestIndex> {
  const instances: TestSingleImage[] = [];
  for (const image of spec.images) instances.push(await buildImage({ ...image, format: spec.format }));
  const entries = instances.map((instance) => ({
    mediaType: instance.manifest.mediaType,
    digest: instance.manifest.digest,
    size: instance.manifest.bytes.length,
    platform: instance.platform,
  }));
  const manifest =
    spec.format === 'oci'
      ? manifestOf(
          serializeOciIndex({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: entries }),
          MEDIA_TYPE_OCI_INDEX,
        )
      : manifestOf(
          serializeDockerManifestList({
            schemaVersion: 2,
            mediaType: MEDIA_TYPE_DOCKER_V2_LIST,
            manifests: entries,
          }),
          MEDIA_TYPE_DOCKER_V2_LIST,
        );
  return { kind: 'index', name: spec.name, format: spec.format, manifest, instances };
}
