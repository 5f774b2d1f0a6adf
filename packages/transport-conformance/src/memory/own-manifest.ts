// A store that makes its own manifest of what it is given, as a Docker engine does: layers are
// kept uncompressed, and the image is described by a Docker schema 2 manifest of the store's
// making (so its digest is not the one the copy wrote). Used to test the suite's
// `storesOwnManifest` and `storedLayerCompression` expectations against the memory transport.
import { gunzipSync } from 'node:zlib';
import {
  configInfo,
  type Digest,
  detectCompression,
  digestOf,
  isParsedManifestList,
  layerInfos,
  type ManifestBlob,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  parseManifestBlob,
  SkopeoError,
  UnsupportedError,
} from '@skopeo-ts/core';

export interface OwnManifest {
  manifest: ManifestBlob;
  /** The blobs the new manifest names: the config and the uncompressed layers. */
  blobs: Map<Digest, Uint8Array>;
}

/** Rewrites `written` with uncompressed layers; `blob` finds the bytes of a written blob. */
export function ownManifestOf(
  written: ManifestBlob,
  blob: (digest: Digest) => Uint8Array | undefined,
  label: string,
): OwnManifest {
  const parsed = parseManifestBlob(written);
  if (isParsedManifestList(parsed)) {
    throw new UnsupportedError(`${label}: this store keeps single images only`);
  }
  const bytesOf = (digest: Digest): Uint8Array => {
    const bytes = blob(digest);
    if (bytes === undefined) throw new SkopeoError('INTERNAL', `${label}: blob ${digest} was not written`);
    return bytes;
  };
  const config = configInfo(parsed);
  if (config === undefined) throw new UnsupportedError(`${label}: this store needs an image config`);
  const blobs = new Map<Digest, Uint8Array>([[config.digest, bytesOf(config.digest)]]);
  const layers = layerInfos(parsed).map((info) => {
    const stored = bytesOf(info.digest);
    const compression = detectCompression(stored.subarray(0, 8));
    if (compression !== 'none' && compression !== 'gzip') {
      throw new UnsupportedError(`${label}: layer ${info.digest} is ${compression}-compressed`);
    }
    const tar = compression === 'gzip' ? new Uint8Array(gunzipSync(stored)) : stored;
    const digest = digestOf(tar);
    blobs.set(digest, tar);
    return { mediaType: MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR, size: tar.length, digest };
  });
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
    config: { mediaType: MEDIA_TYPE_DOCKER_V2S2_CONFIG, size: config.size, digest: config.digest },
    layers,
  };
  return {
    manifest: { bytes: Buffer.from(JSON.stringify(manifest)), mediaType: MEDIA_TYPE_DOCKER_V2S2_MANIFEST },
    blobs,
  };
}
