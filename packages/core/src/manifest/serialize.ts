// Writing manifests. The original bytes are kept whenever a manifest is not changed: writing it
// again would change its digest. A changed manifest is written as containers/image writes it
// (Go's json.Marshal: compact, fields in the Go structs' order), so its digest is skopeo's.
import { UnsupportedError } from '../errors.js';
import { type DockerV2S2Manifest, dockerV2S2ManifestJson } from './docker-schema2.js';
import type { GoJson } from './go-json.js';
import { toBytes } from './go-json.js';
import { parseJsonObject } from './json-decode.js';
import { type DockerManifestList, dockerManifestListJson, type OciIndex, ociIndexJson } from './list.js';
import {
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.js';
import { type OciManifest, ociManifestJson } from './oci.js';
import type {
  ParsedDockerManifestList,
  ParsedDockerV2S2Manifest,
  ParsedManifest,
  ParsedOciIndex,
  ParsedOciManifest,
} from './parse.js';

/** A manifest format skopeo-ts can write, with its typed content. Schema 1 is read-only. */
export type WritableManifest =
  | { kind: 'oci-manifest'; manifest: OciManifest }
  | { kind: 'docker-v2s2'; manifest: DockerV2S2Manifest }
  | { kind: 'oci-index'; manifest: OciIndex }
  | { kind: 'docker-list'; manifest: DockerManifestList };

export type WritableParsedManifest = Extract<ParsedManifest, { kind: WritableManifest['kind'] }>;

/** The bytes to write for a parsed manifest: always the bytes it was parsed from (or built as). */
export function serializeManifest(parsed: ParsedManifest): Uint8Array {
  return parsed.bytes;
}

/** The JSON text Go would write for the typed manifest. */
export function writableManifestJson(writable: WritableManifest): GoJson {
  switch (writable.kind) {
    case 'oci-manifest':
      return ociManifestJson(writable.manifest);
    case 'docker-v2s2':
      return dockerV2S2ManifestJson(writable.manifest);
    case 'oci-index':
      return ociIndexJson(writable.manifest);
    case 'docker-list':
      return dockerManifestListJson(writable.manifest);
  }
}

/** The typed content of a parsed manifest; schema 1 cannot be written (it would need re-signing). */
export function writableOf(parsed: ParsedManifest): WritableManifest {
  if (parsed.kind === 'docker-v2s1') {
    throw new UnsupportedError(
      'changing a Docker schema 1 manifest is not supported (convert the image to schema 2 or OCI with its config)',
    );
  }
  return { kind: parsed.kind, manifest: parsed.manifest } as WritableManifest;
}

/** Serializes a typed manifest into a parsed one (new bytes, their JSON, the typed view). */
export function buildManifest(writable: { kind: 'oci-manifest'; manifest: OciManifest }): ParsedOciManifest;
export function buildManifest(writable: {
  kind: 'docker-v2s2';
  manifest: DockerV2S2Manifest;
}): ParsedDockerV2S2Manifest;
export function buildManifest(writable: { kind: 'oci-index'; manifest: OciIndex }): ParsedOciIndex;
export function buildManifest(writable: {
  kind: 'docker-list';
  manifest: DockerManifestList;
}): ParsedDockerManifestList;
export function buildManifest(writable: WritableManifest): WritableParsedManifest;
export function buildManifest(writable: WritableManifest): WritableParsedManifest {
  const bytes = toBytes(writableManifestJson(writable));
  const json = parseJsonObject(bytes);
  switch (writable.kind) {
    case 'oci-manifest':
      return {
        kind: 'oci-manifest',
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        bytes,
        json,
        manifest: writable.manifest,
      };
    case 'docker-v2s2':
      return {
        kind: 'docker-v2s2',
        mediaType: MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
        bytes,
        json,
        manifest: writable.manifest,
      };
    case 'oci-index':
      return { kind: 'oci-index', mediaType: MEDIA_TYPE_OCI_INDEX, bytes, json, manifest: writable.manifest };
    case 'docker-list':
      return {
        kind: 'docker-list',
        mediaType: MEDIA_TYPE_DOCKER_V2_LIST,
        bytes,
        json,
        manifest: writable.manifest,
      };
  }
}

/**
 * `original` itself when `updated` would be written the same as it (so its original bytes and
 * digest stay), else `updated` serialized.
 */
export function keepOrBuild(original: ParsedManifest, updated: WritableManifest): ParsedManifest {
  if (original.kind === updated.kind) {
    if (writableManifestJson(writableOf(original)) === writableManifestJson(updated)) return original;
  }
  return buildManifest(updated);
}
