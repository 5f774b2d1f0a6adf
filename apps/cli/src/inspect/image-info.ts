// containers/image's types.ImageInspectInfo, read from a manifest and its config exactly as the
// Inspect methods of its OCI, schema 2 and schema 1 manifest types do (which config fields, which
// defaults, nil versus empty).
import {
  layerInfos,
  MEDIA_TYPE_OCI_CONFIG,
  type ParsedImageManifest,
  UnsupportedError,
} from '@skopeo-ts/core';
import {
  decodeObject,
  decodeString,
  decodeStringMap,
  decodeStringSlice,
  decodeTime,
  goField,
  isJsonObject,
  type JsonObject,
} from '../go/decode.js';
import { GO_ZERO_TIME, type GoTime } from '../go/time.js';

export interface InspectLayer {
  mimeType: string;
  digest: string;
  size: number;
  annotations: Record<string, string> | undefined;
}

export interface ImageInspectInfo {
  tag: string;
  /** undefined: a nil *time.Time (an OCI config without `created`). */
  created: GoTime | undefined;
  dockerVersion: string;
  labels: Record<string, string> | undefined;
  architecture: string;
  variant: string;
  os: string;
  layers: string[];
  layersData: InspectLayer[];
  env: string[] | undefined;
  author: string;
}

function parseConfigJson(bytes: Uint8Array, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isJsonObject(value)) throw new Error(`${what} is not a JSON object`);
  return value;
}

function layerData(manifest: ParsedImageManifest): Pick<ImageInspectInfo, 'layers' | 'layersData'> {
  const infos = layerInfos(manifest);
  return {
    layers: infos.map((info) => info.digest),
    layersData: infos.map((info) => ({
      mimeType: info.mediaType ?? '',
      digest: info.digest,
      size: info.size,
      annotations: info.annotations,
    })),
  };
}

/** Fields of Docker's V1Image (schema 2 configs, schema 1 v1Compatibility). */
function dockerV1Fields(config: JsonObject, where: string, createdIsPointer: boolean) {
  const runConfig = decodeObject(goField(config, 'config'), `${where}.config`, 'manifest.Schema2Config');
  const created = decodeTime(goField(config, 'created'), `${where}.created`);
  return {
    // A time.Time value (not a pointer) in Docker's structs: absent means the zero time.
    created: created ?? (createdIsPointer ? undefined : GO_ZERO_TIME),
    dockerVersion: decodeString(goField(config, 'docker_version'), `${where}.docker_version`),
    architecture: decodeString(goField(config, 'architecture'), `${where}.architecture`),
    variant: decodeString(goField(config, 'variant'), `${where}.variant`),
    os: decodeString(goField(config, 'os'), `${where}.os`),
    author: decodeString(goField(config, 'author'), `${where}.author`),
    labels: runConfig ? decodeStringMap(goField(runConfig, 'Labels'), `${where}.config.Labels`) : undefined,
    env: runConfig ? decodeStringSlice(goField(runConfig, 'Env'), `${where}.config.Env`) : undefined,
  };
}

/**
 * ImageInspectInfo of one image. `configBytes` is the config blob (absent for schema 1, which
 * carries its config in the manifest).
 */
export function imageInspectInfo(
  manifest: ParsedImageManifest,
  configBytes: Uint8Array | undefined,
): ImageInspectInfo {
  switch (manifest.kind) {
    case 'oci-manifest': {
      const configType = manifest.manifest.config.mediaType;
      if (configType !== MEDIA_TYPE_OCI_CONFIG) {
        throw new UnsupportedError(
          `unsupported image-specific operation on artifact with type "${configType}"`,
        );
      }
      const config = parseConfigJson(configBytes ?? new Uint8Array(), 'the image config');
      const runConfig = decodeObject(goField(config, 'config'), 'Image.config', 'v1.ImageConfig');
      return {
        tag: '',
        created: decodeTime(goField(config, 'created'), 'Image.created'),
        dockerVersion: decodeString(goField(config, 'docker_version'), 'Schema2V1Image.docker_version'),
        labels: runConfig ? decodeStringMap(goField(runConfig, 'Labels'), 'Image.config.Labels') : undefined,
        architecture: decodeString(goField(config, 'architecture'), 'Image.architecture'),
        variant: decodeString(goField(config, 'variant'), 'Image.variant'),
        os: decodeString(goField(config, 'os'), 'Image.os'),
        ...layerData(manifest),
        env: runConfig ? decodeStringSlice(goField(runConfig, 'Env'), 'Image.config.Env') : undefined,
        author: decodeString(goField(config, 'author'), 'Image.author'),
      };
    }
    case 'docker-v2s2': {
      const config = parseConfigJson(configBytes ?? new Uint8Array(), 'the image config');
      return { tag: '', ...dockerV1Fields(config, 'Schema2Image', false), ...layerData(manifest) };
    }
    case 'docker-v2s1': {
      const first = manifest.manifest.history[0];
      const config = parseConfigJson(
        Buffer.from(first?.v1Compatibility ?? '{}'),
        'the v1Compatibility of the newest history entry',
      );
      return {
        tag: manifest.manifest.tag,
        ...dockerV1Fields(config, 'Schema2V1Image', false),
        ...layerData(manifest),
      };
    }
  }
}
