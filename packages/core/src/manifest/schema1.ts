// Docker image manifest schema 1 (application/vnd.docker.distribution.manifest.v1+json, and
// +prettyjws when signed). Read-only: the format is deprecated and changing it means re-signing.
import type { BlobInfo } from '../contracts/types.js';
import type { Digest } from '../digest.js';
import { InvalidManifestError } from '../errors.js';
import {
  arrayOfObjects,
  optionalString,
  rejectAmbiguousFields,
  requiredArray,
  requiredDigest,
  requiredString,
  requireSchemaVersion,
} from './fields.js';
import { isJsonObject, type JsonObject, own } from './json-decode.js';
import { MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST } from './media-types.js';

export interface Schema1FsLayer {
  blobSum: Digest;
}

export interface Schema1History {
  /** The v1 image JSON, as a string. */
  v1Compatibility: string;
}

/** The fields of a v1Compatibility entry that matter for layers. */
export interface Schema1V1Compatibility {
  id: string;
  parent: string;
  /** An empty ("throwaway") layer, such as one made by ENV or LABEL. */
  throwaway: boolean;
}

export interface DockerV2S1Manifest {
  schemaVersion: 1;
  name: string;
  tag: string;
  architecture: string;
  /** Newest layer first. */
  fsLayers: Schema1FsLayer[];
  history: Schema1History[];
  /** The JWS signature blocks as in the JSON (absent in unsigned manifests). */
  signatures?: unknown[];
}

/** A layer of a schema 1 image, oldest first. */
export interface Schema1Layer {
  blobSum: Digest;
  v1Compatibility: Schema1V1Compatibility;
}

const V1_ID = /^[a-f0-9]{64}$/;

function readV1Compatibility(text: string, index: number): Schema1V1Compatibility {
  const where = `history[${index}].v1Compatibility`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidManifestError(`${where} is not valid JSON`, { cause: error });
  }
  if (!isJsonObject(value)) throw new InvalidManifestError(`${where} must hold a JSON object`);
  const id = optionalString(value, 'id', where) ?? '';
  if (!V1_ID.test(id)) throw new InvalidManifestError(`${where}: image ID "${id}" is invalid`);
  const throwaway = own(value, 'throwaway');
  if (throwaway !== undefined && throwaway !== null && typeof throwaway !== 'boolean') {
    throw new InvalidManifestError(`${where}.throwaway must be a boolean`);
  }
  return { id, parent: optionalString(value, 'parent', where) ?? '', throwaway: throwaway === true };
}

/**
 * Validates a schema 1 manifest as containers/image does (Schema1FromManifest): equal, non-empty
 * fsLayers and history, valid v1 IDs, a base layer without parent, a consistent parent chain.
 */
export function readDockerV2S1Manifest(json: JsonObject): DockerV2S1Manifest {
  requireSchemaVersion(json, 1, MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST);
  rejectAmbiguousFields(json, MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST, ['fsLayers', 'history']);
  const fsLayers = arrayOfObjects(requiredArray(json, 'fsLayers', ''), 'fsLayers').map((layer, i) => ({
    blobSum: requiredDigest(layer, 'blobSum', `fsLayers[${i}]`),
  }));
  const history = arrayOfObjects(requiredArray(json, 'history', ''), 'history').map((entry, i) => ({
    v1Compatibility: requiredString(entry, 'v1Compatibility', `history[${i}]`),
  }));
  const manifest: DockerV2S1Manifest = {
    schemaVersion: 1,
    name: optionalString(json, 'name', '') ?? '',
    tag: optionalString(json, 'tag', '') ?? '',
    architecture: optionalString(json, 'architecture', '') ?? '',
    fsLayers,
    history,
  };
  const signatures = own(json, 'signatures');
  if (signatures !== undefined && signatures !== null) {
    if (!Array.isArray(signatures)) throw new InvalidManifestError('signatures must be an array');
    manifest.signatures = signatures;
  }
  schema1Layers(manifest); // validates the history
  return manifest;
}

/**
 * The image's layers, oldest first, with consecutive repeats of one v1 ID folded into one (as
 * containers/image's fixManifestLayers does: old Docker versions wrote such repeats).
 */
export function schema1Layers(manifest: DockerV2S1Manifest): Schema1Layer[] {
  const { fsLayers, history } = manifest;
  if (fsLayers.length !== history.length) {
    throw new InvalidManifestError(
      `schema 1 manifest has ${fsLayers.length} fsLayers but ${history.length} history entries`,
    );
  }
  if (fsLayers.length === 0) throw new InvalidManifestError('schema 1 manifest has no fsLayers');
  const entries = history.map((entry, i) => ({
    blobSum: (fsLayers[i] as Schema1FsLayer).blobSum,
    v1Compatibility: readV1Compatibility(entry.v1Compatibility, i),
  }));
  const base = entries[entries.length - 1] as Schema1Layer;
  if (base.v1Compatibility.parent !== '') {
    throw new InvalidManifestError('invalid parent ID in the base layer of the image');
  }
  const seen = new Set<string>();
  let lastId: string | undefined;
  for (const { v1Compatibility } of entries) {
    if (v1Compatibility.id !== lastId && seen.has(v1Compatibility.id)) {
      throw new InvalidManifestError(`image ID ${v1Compatibility.id} appears more than once in the manifest`);
    }
    lastId = v1Compatibility.id;
    seen.add(lastId);
  }
  const kept: Schema1Layer[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as Schema1Layer;
    const older = kept[kept.length - 1];
    if (older !== undefined) {
      if (entry.v1Compatibility.id === older.v1Compatibility.id) continue; // a repeat: fold it
      if (entry.v1Compatibility.parent !== older.v1Compatibility.id) {
        throw new InvalidManifestError(
          `invalid parent ID: expected ${older.v1Compatibility.id}, got "${entry.v1Compatibility.parent}"`,
        );
      }
    }
    kept.push(entry);
  }
  return kept;
}

/** A layer of a schema 1 image as a blob: the size is not in the manifest (-1). */
export interface Schema1LayerInfo extends BlobInfo {
  emptyLayer: boolean;
}

export function schema1LayerInfos(manifest: DockerV2S1Manifest): Schema1LayerInfo[] {
  return schema1Layers(manifest).map((layer) => ({
    digest: layer.blobSum,
    size: -1,
    emptyLayer: layer.v1Compatibility.throwaway,
  }));
}
