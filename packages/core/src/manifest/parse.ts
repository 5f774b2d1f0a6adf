// parseManifest: bytes (+ the media type they came with) → a validated, typed manifest that keeps
// the original bytes, which stay authoritative as long as nothing is changed.
import type { BlobInfo, ManifestBlob } from '../contracts/types.js';
import { InvalidManifestError, ManifestTooLargeError } from '../errors.js';
import { blobInfoFromOci, blobInfoFromSchema2 } from './descriptor.js';
import { type DockerV2S2Manifest, readDockerV2S2Manifest } from './docker-schema2.js';
import { guessManifestMediaType } from './guess.js';
import { type JsonObject, parseJsonObject } from './json-decode.js';
import {
  type DockerManifestList,
  dockerListInstances,
  type ListInstance,
  type OciIndex,
  ociIndexInstances,
  readDockerManifestList,
  readOciIndex,
} from './list.js';
import {
  isManifestList,
  isManifestMediaType,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  type ManifestMediaType,
  simplifyMediaType,
} from './media-types.js';
import { type OciManifest, readOciManifest } from './oci.js';
import { type DockerV2S1Manifest, readDockerV2S1Manifest, schema1LayerInfos } from './schema1.js';

/** The largest manifest accepted (containers/image's iolimits.MaxManifestBodySize). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export type ManifestKind = 'oci-manifest' | 'oci-index' | 'docker-v2s2' | 'docker-list' | 'docker-v2s1';

interface ParsedBase {
  /** The manifest exactly as received; its digest is the manifest's digest. */
  readonly bytes: Uint8Array;
  /** The whole JSON document, unknown fields included. */
  readonly json: JsonObject;
}

export interface ParsedOciManifest extends ParsedBase {
  readonly kind: 'oci-manifest';
  readonly mediaType: typeof MEDIA_TYPE_OCI_MANIFEST;
  readonly manifest: OciManifest;
}

export interface ParsedDockerV2S2Manifest extends ParsedBase {
  readonly kind: 'docker-v2s2';
  readonly mediaType: typeof MEDIA_TYPE_DOCKER_V2S2_MANIFEST;
  readonly manifest: DockerV2S2Manifest;
}

export interface ParsedDockerV2S1Manifest extends ParsedBase {
  readonly kind: 'docker-v2s1';
  readonly mediaType: typeof MEDIA_TYPE_DOCKER_V2S1_MANIFEST | typeof MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST;
  readonly manifest: DockerV2S1Manifest;
}

export interface ParsedOciIndex extends ParsedBase {
  readonly kind: 'oci-index';
  readonly mediaType: typeof MEDIA_TYPE_OCI_INDEX;
  readonly manifest: OciIndex;
}

export interface ParsedDockerManifestList extends ParsedBase {
  readonly kind: 'docker-list';
  readonly mediaType: typeof MEDIA_TYPE_DOCKER_V2_LIST;
  readonly manifest: DockerManifestList;
}

/** A manifest of one image. */
export type ParsedImageManifest = ParsedOciManifest | ParsedDockerV2S2Manifest | ParsedDockerV2S1Manifest;
/** A manifest of manifests. */
export type ParsedManifestList = ParsedOciIndex | ParsedDockerManifestList;
export type ParsedManifest = ParsedImageManifest | ParsedManifestList;

/** Refuses a manifest over MAX_MANIFEST_BYTES. */
export function checkManifestSize(size: number, what = 'manifest'): void {
  if (size > MAX_MANIFEST_BYTES) throw new ManifestTooLargeError(what, size, MAX_MANIFEST_BYTES);
}

/**
 * Which type to parse the bytes as: the declared type when it is one of the six manifest types
 * (parameters and case ignored), else what the bytes say (servers answer `text/plain` or
 * `application/octet-stream` for manifests too).
 */
export function effectiveManifestMediaType(bytes: Uint8Array, declared?: string): ManifestMediaType {
  const simple = declared === undefined ? '' : simplifyMediaType(declared);
  if (isManifestMediaType(simple)) return simple;
  const guessed = guessManifestMediaType(bytes);
  if (guessed !== '') return guessed;
  throw new InvalidManifestError(
    simple === ''
      ? 'cannot tell the manifest type from its content (expected an OCI or Docker manifest or list)'
      : `"${declared}" is not a manifest media type, and the content is not a recognisable manifest`,
  );
}

/**
 * Parses and validates a manifest. `mediaType` is the type it came with (Content-Type, an OCI
 * descriptor's mediaType); without one it is guessed from the content. Refuses, with
 * InvalidManifestError: malformed JSON, missing or mistyped required fields, invalid digests,
 * negative or fractional sizes, a `mediaType` field that contradicts the type, fields of another
 * manifest format; with ManifestTooLargeError: more than 4 MiB.
 */
export function parseManifest(bytes: Uint8Array, mediaType?: string): ParsedManifest {
  checkManifestSize(bytes.length);
  const json = parseJsonObject(bytes);
  const type = effectiveManifestMediaType(bytes, mediaType);
  switch (type) {
    case MEDIA_TYPE_OCI_MANIFEST:
      return { kind: 'oci-manifest', mediaType: type, bytes, json, manifest: readOciManifest(json) };
    case MEDIA_TYPE_DOCKER_V2S2_MANIFEST:
      return { kind: 'docker-v2s2', mediaType: type, bytes, json, manifest: readDockerV2S2Manifest(json) };
    case MEDIA_TYPE_DOCKER_V2S1_MANIFEST:
    case MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST:
      return { kind: 'docker-v2s1', mediaType: type, bytes, json, manifest: readDockerV2S1Manifest(json) };
    case MEDIA_TYPE_OCI_INDEX:
      return { kind: 'oci-index', mediaType: type, bytes, json, manifest: readOciIndex(json) };
    case MEDIA_TYPE_DOCKER_V2_LIST:
      return { kind: 'docker-list', mediaType: type, bytes, json, manifest: readDockerManifestList(json) };
  }
}

/** parseManifest for a ManifestBlob as ImageSource.getManifest returns it. */
export function parseManifestBlob(blob: ManifestBlob): ParsedManifest {
  return parseManifest(blob.bytes, blob.mediaType);
}

/** The bytes and media type to store: the original bytes unless the manifest was changed. */
export function toManifestBlob(parsed: ParsedManifest): ManifestBlob {
  return { bytes: parsed.bytes, mediaType: parsed.mediaType };
}

export function isParsedManifestList(parsed: ParsedManifest): parsed is ParsedManifestList {
  return isManifestList(parsed.mediaType);
}

/** A layer as a blob, with schema 1's notion of an empty ("throwaway") layer (false elsewhere). */
export interface LayerInfo extends BlobInfo {
  emptyLayer: boolean;
}

/** The config blob; undefined for schema 1, which has none. */
export function configInfo(parsed: ParsedImageManifest): BlobInfo | undefined {
  switch (parsed.kind) {
    case 'oci-manifest':
      return blobInfoFromOci(parsed.manifest.config);
    case 'docker-v2s2':
      return blobInfoFromSchema2(parsed.manifest.config);
    case 'docker-v2s1':
      return undefined;
  }
}

/**
 * The layers, base layer first. Repeats are kept (they matter). Schema 1 sizes are -1 (unknown)
 * and its repeated history entries are folded as containers/image does.
 */
export function layerInfos(parsed: ParsedImageManifest): LayerInfo[] {
  switch (parsed.kind) {
    case 'oci-manifest':
      return parsed.manifest.layers.map((layer) => ({ ...blobInfoFromOci(layer), emptyLayer: false }));
    case 'docker-v2s2':
      return parsed.manifest.layers.map((layer) => ({ ...blobInfoFromSchema2(layer), emptyLayer: false }));
    case 'docker-v2s1':
      return schema1LayerInfos(parsed.manifest);
  }
}

/** The images of a list, in list order, with their platforms. */
export function listInstances(parsed: ParsedManifestList): ListInstance[] {
  return parsed.kind === 'oci-index'
    ? ociIndexInstances(parsed.manifest)
    : dockerListInstances(parsed.manifest);
}
