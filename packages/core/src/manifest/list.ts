// Multi-image manifests: the OCI image index and the Docker manifest list.
import type { Platform } from '../contracts/types.js';
import type { Digest } from '../digest.js';
import {
  clonePlatform,
  cloneOciDescriptor,
  type OciDescriptor,
  ociDescriptorJson,
  readOciDescriptor,
  readSchema2Descriptor,
  type Schema2Descriptor,
} from './descriptor.js';
import {
  arrayOfObjects,
  optionalObject,
  optionalString,
  optionalStringMap,
  readPlatform,
  rejectAmbiguousFields,
  requiredArray,
  requireMediaTypeField,
  requireSchemaVersion,
} from './fields.js';
import {
  type GoJson,
  goArray,
  goInt,
  goString,
  goStruct,
  omitEmptyMap,
  omitEmptyString,
  omitEmptyStrings,
  toBytes,
} from './go-json.js';
import type { JsonObject } from './json-decode.js';
import { MEDIA_TYPE_DOCKER_V2_LIST, MEDIA_TYPE_OCI_INDEX } from './media-types.js';

/** image-spec `Index`. */
export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: OciDescriptor[];
  subject?: OciDescriptor;
  annotations?: Record<string, string>;
}

/** One entry of a Docker manifest list: a schema 2 descriptor with a platform. */
export interface DockerListEntry extends Schema2Descriptor {
  /** Always written; an entry without one in the JSON reads as empty architecture and os. */
  platform: Platform;
}

/** containers/image `Schema2List`. */
export interface DockerManifestList {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPE_DOCKER_V2_LIST;
  manifests: DockerListEntry[];
}

/** Annotation containers/image puts on zstd instances of an index it builds. */
export const ANNOTATION_INSTANCE_ZSTD = 'io.github.containers.compression.zstd';

export function readOciIndex(json: JsonObject): OciIndex {
  requireSchemaVersion(json, 2, MEDIA_TYPE_OCI_INDEX);
  const mediaType = requireMediaTypeField(json, MEDIA_TYPE_OCI_INDEX, { required: false });
  rejectAmbiguousFields(json, MEDIA_TYPE_OCI_INDEX, ['manifests']);
  const index: OciIndex = {
    schemaVersion: 2,
    manifests: arrayOfObjects(requiredArray(json, 'manifests', '', { nullIsEmpty: true }), 'manifests').map(
      (entry, i) => readOciDescriptor(entry, `manifests[${i}]`),
    ),
  };
  if (mediaType !== undefined) index.mediaType = mediaType;
  const artifactType = optionalString(json, 'artifactType', '');
  if (artifactType !== undefined) index.artifactType = artifactType;
  const subject = optionalObject(json, 'subject', '');
  if (subject !== undefined) index.subject = readOciDescriptor(subject, 'subject');
  const annotations = optionalStringMap(json, 'annotations', '');
  if (annotations !== undefined) index.annotations = annotations;
  return index;
}

export function readDockerManifestList(json: JsonObject): DockerManifestList {
  requireSchemaVersion(json, 2, MEDIA_TYPE_DOCKER_V2_LIST);
  requireMediaTypeField(json, MEDIA_TYPE_DOCKER_V2_LIST, { required: true });
  rejectAmbiguousFields(json, MEDIA_TYPE_DOCKER_V2_LIST, ['manifests']);
  const manifests = arrayOfObjects(
    requiredArray(json, 'manifests', '', { nullIsEmpty: true }),
    'manifests',
  ).map((entry, i): DockerListEntry => {
    const path = `manifests[${i}]`;
    const platform = optionalObject(entry, 'platform', path);
    return {
      ...readSchema2Descriptor(entry, path),
      platform:
        platform === undefined
          ? { architecture: '', os: '' }
          : readPlatform(platform, `${path}.platform`, { features: true }),
    };
  });
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_DOCKER_V2_LIST, manifests };
}

export function ociIndexJson(index: OciIndex): GoJson {
  return goStruct([
    ['schemaVersion', goInt(index.schemaVersion)],
    ['mediaType', omitEmptyString(index.mediaType)],
    ['artifactType', omitEmptyString(index.artifactType)],
    ['manifests', goArray(index.manifests.map(ociDescriptorJson))],
    ['subject', index.subject === undefined ? undefined : ociDescriptorJson(index.subject)],
    ['annotations', omitEmptyMap(index.annotations)],
  ]);
}

/** containers/image `Schema2PlatformSpec`. */
function dockerPlatformJson(platform: Platform): GoJson {
  return goStruct([
    ['architecture', goString(platform.architecture)],
    ['os', goString(platform.os)],
    ['os.version', omitEmptyString(platform['os.version'])],
    ['os.features', omitEmptyStrings(platform['os.features'])],
    ['variant', omitEmptyString(platform.variant)],
    ['features', omitEmptyStrings(platform.features)],
  ]);
}

function dockerListEntryJson(entry: DockerListEntry): GoJson {
  return goStruct([
    ['mediaType', goString(entry.mediaType)],
    ['size', goInt(entry.size)],
    ['digest', goString(entry.digest)],
    ['urls', omitEmptyStrings(entry.urls)],
    ['platform', dockerPlatformJson(entry.platform)],
  ]);
}

export function dockerManifestListJson(list: DockerManifestList): GoJson {
  return goStruct([
    ['schemaVersion', goInt(list.schemaVersion)],
    ['mediaType', goString(list.mediaType)],
    ['manifests', goArray(list.manifests.map(dockerListEntryJson))],
  ]);
}

export function serializeOciIndex(index: OciIndex): Uint8Array {
  return toBytes(ociIndexJson(index));
}

export function serializeDockerManifestList(list: DockerManifestList): Uint8Array {
  return toBytes(dockerManifestListJson(list));
}

export function cloneOciIndex(index: OciIndex): OciIndex {
  const copy: OciIndex = { schemaVersion: 2, manifests: index.manifests.map(cloneOciDescriptor) };
  if (index.mediaType !== undefined) copy.mediaType = index.mediaType;
  if (index.artifactType !== undefined) copy.artifactType = index.artifactType;
  if (index.subject !== undefined) copy.subject = cloneOciDescriptor(index.subject);
  if (index.annotations !== undefined) copy.annotations = { ...index.annotations };
  return copy;
}

function cloneDockerListEntry(entry: DockerListEntry): DockerListEntry {
  const copy: DockerListEntry = {
    mediaType: entry.mediaType,
    size: entry.size,
    digest: entry.digest,
    platform: clonePlatform(entry.platform),
  };
  if (entry.urls !== undefined) copy.urls = [...entry.urls];
  return copy;
}

export function cloneDockerManifestList(list: DockerManifestList): DockerManifestList {
  return { schemaVersion: 2, mediaType: list.mediaType, manifests: list.manifests.map(cloneDockerListEntry) };
}

/** One image of a list, whatever the list's format. */
export interface ListInstance {
  digest: Digest;
  size: number;
  mediaType: string;
  /** undefined: the OCI index entry has no platform (e.g. an artifact). */
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
  /** The entry is a zstd variant of an image (containers/image's annotation). */
  zstd: boolean;
}

export function ociIndexInstances(index: OciIndex): ListInstance[] {
  return index.manifests.map((entry) => {
    const instance: ListInstance = {
      digest: entry.digest,
      size: entry.size,
      mediaType: entry.mediaType,
      zstd: entry.annotations?.[ANNOTATION_INSTANCE_ZSTD] === 'true',
    };
    if (entry.platform !== undefined) instance.platform = clonePlatform(entry.platform);
    if (entry.annotations !== undefined) instance.annotations = { ...entry.annotations };
    if (entry.urls !== undefined) instance.urls = [...entry.urls];
    if (entry.artifactType !== undefined) instance.artifactType = entry.artifactType;
    return instance;
  });
}

export function dockerListInstances(list: DockerManifestList): ListInstance[] {
  return list.manifests.map((entry) => {
    const instance: ListInstance = {
      digest: entry.digest,
      size: entry.size,
      mediaType: entry.mediaType,
      platform: clonePlatform(entry.platform),
      zstd: false,
    };
    if (entry.urls !== undefined) instance.urls = [...entry.urls];
    return instance;
  });
}

/** An OCI platform from a Docker one: `features` is not part of OCI's. */
function ociPlatformFromDocker(platform: Platform): Platform {
  const copy = clonePlatform(platform);
  delete copy.features;
  return copy;
}

/**
 * Docker list → OCI index as containers/image's ToOCI1Index: every entry keeps its platform
 * (without `features`), media types of the entries are unchanged.
 */
export function dockerListToOciIndex(list: DockerManifestList): OciIndex {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_INDEX,
    manifests: list.manifests.map((entry) => {
      const descriptor: OciDescriptor = {
        mediaType: entry.mediaType,
        digest: entry.digest,
        size: entry.size,
        platform: ociPlatformFromDocker(entry.platform),
      };
      if (entry.urls !== undefined) descriptor.urls = [...entry.urls];
      return descriptor;
    }),
  };
}

/**
 * OCI index → Docker list as containers/image's ToSchema2List: annotations, artifactType and
 * subject are dropped (the format has no place for them); an entry without a platform gets
 * `defaultPlatform` (containers/image uses the running system's os and architecture).
 */
export function ociIndexToDockerList(index: OciIndex, defaultPlatform: Platform): DockerManifestList {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_DOCKER_V2_LIST,
    manifests: index.manifests.map((entry) => {
      const converted: DockerListEntry = {
        mediaType: entry.mediaType,
        size: entry.size,
        digest: entry.digest,
        platform: clonePlatform(
          entry.platform ?? { os: defaultPlatform.os, architecture: defaultPlatform.architecture },
        ),
      };
      if (entry.urls !== undefined) converted.urls = [...entry.urls];
      return converted;
    }),
  };
}
