// Docker image manifest schema 2 (application/vnd.docker.distribution.manifest.v2+json).
import { InvalidManifestError } from '../errors.js';
import { readSchema2Descriptor, type Schema2Descriptor, schema2DescriptorJson } from './descriptor.js';
import {
  arrayOfObjects,
  rejectAmbiguousFields,
  requiredArray,
  requiredObject,
  requireMediaTypeField,
  requireSchemaVersion,
} from './fields.js';
import { type GoJson, goArray, goInt, goString, goStruct, toBytes } from './go-json.js';
import type { JsonObject } from './json-decode.js';
import {
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
} from './media-types.js';

/** containers/image `Schema2`. */
export interface DockerV2S2Manifest {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPE_DOCKER_V2S2_MANIFEST;
  config: Schema2Descriptor;
  layers: Schema2Descriptor[];
}

/** The Docker media types containers/image accepts for schema 2 layers (SupportedSchema2MediaType). */
const SCHEMA2_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
];

export function isSchema2MediaType(mediaType: string): boolean {
  return SCHEMA2_MEDIA_TYPES.includes(mediaType);
}

export function readDockerV2S2Manifest(json: JsonObject): DockerV2S2Manifest {
  requireSchemaVersion(json, 2, MEDIA_TYPE_DOCKER_V2S2_MANIFEST);
  requireMediaTypeField(json, MEDIA_TYPE_DOCKER_V2S2_MANIFEST, { required: true });
  rejectAmbiguousFields(json, MEDIA_TYPE_DOCKER_V2S2_MANIFEST, ['config', 'layers']);
  const config = readSchema2Descriptor(requiredObject(json, 'config', ''), 'config');
  const layers = arrayOfObjects(requiredArray(json, 'layers', '', { nullIsEmpty: true }), 'layers').map(
    (layer, i) => {
      const descriptor = readSchema2Descriptor(layer, `layers[${i}]`);
      if (!isSchema2MediaType(descriptor.mediaType)) {
        throw new InvalidManifestError(
          `layers[${i}].mediaType "${descriptor.mediaType}" is not a Docker schema 2 layer type (an OCI layer needs an OCI manifest)`,
        );
      }
      return descriptor;
    },
  );
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_DOCKER_V2S2_MANIFEST, config, layers };
}

export function dockerV2S2ManifestJson(manifest: DockerV2S2Manifest): GoJson {
  return goStruct([
    ['schemaVersion', goInt(manifest.schemaVersion)],
    ['mediaType', goString(manifest.mediaType)],
    ['config', schema2DescriptorJson(manifest.config)],
    ['layers', goArray(manifest.layers.map(schema2DescriptorJson))],
  ]);
}

/** The manifest as containers/image's Schema2.Serialize writes it (json.Marshal). */
export function serializeDockerV2S2Manifest(manifest: DockerV2S2Manifest): Uint8Array {
  return toBytes(dockerV2S2ManifestJson(manifest));
}

function cloneDescriptor(descriptor: Schema2Descriptor): Schema2Descriptor {
  const copy: Schema2Descriptor = {
    mediaType: descriptor.mediaType,
    size: descriptor.size,
    digest: descriptor.digest,
  };
  if (descriptor.urls !== undefined) copy.urls = [...descriptor.urls];
  return copy;
}

export function cloneDockerV2S2Manifest(manifest: DockerV2S2Manifest): DockerV2S2Manifest {
  return {
    schemaVersion: 2,
    mediaType: manifest.mediaType,
    config: cloneDescriptor(manifest.config),
    layers: manifest.layers.map(cloneDescriptor),
  };
}
