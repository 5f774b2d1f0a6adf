// Content descriptors: OCI's (image-spec descriptor.go) and Docker schema 2's, read and written.
import type { BlobInfo, Platform } from '../contracts/types.js';
import type { Digest } from '../digest.js';
import {
  optionalBase64,
  optionalObject,
  optionalString,
  optionalStringArray,
  optionalStringMap,
  readPlatform,
  requiredDigest,
  requiredSize,
  requiredString,
} from './fields.js';
import {
  type GoJson,
  goInt,
  goString,
  goStruct,
  omitEmptyMap,
  omitEmptyString,
  omitEmptyStrings,
} from './go-json.js';
import type { JsonObject } from './json-decode.js';

/** An OCI descriptor (image-spec `Descriptor`). */
export interface OciDescriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Embedded content, standard base64, as in the JSON. */
  data?: string;
  platform?: Platform;
  artifactType?: string;
}

/** A Docker schema 2 descriptor (containers/image `Schema2Descriptor`). */
export interface Schema2Descriptor {
  mediaType: string;
  size: number;
  digest: Digest;
  urls?: string[];
}

export function readOciDescriptor(value: JsonObject, path: string): OciDescriptor {
  const descriptor: OciDescriptor = {
    mediaType: requiredString(value, 'mediaType', path),
    digest: requiredDigest(value, 'digest', path),
    size: requiredSize(value, 'size', path),
  };
  const urls = optionalStringArray(value, 'urls', path);
  if (urls !== undefined) descriptor.urls = urls;
  const annotations = optionalStringMap(value, 'annotations', path);
  if (annotations !== undefined) descriptor.annotations = annotations;
  const data = optionalBase64(value, 'data', path);
  if (data !== undefined) descriptor.data = data;
  const platform = optionalObject(value, 'platform', path);
  if (platform !== undefined) {
    descriptor.platform = readPlatform(platform, `${path}.platform`, { features: false });
  }
  const artifactType = optionalString(value, 'artifactType', path);
  if (artifactType !== undefined) descriptor.artifactType = artifactType;
  return descriptor;
}

export function readSchema2Descriptor(value: JsonObject, path: string): Schema2Descriptor {
  const descriptor: Schema2Descriptor = {
    mediaType: requiredString(value, 'mediaType', path),
    size: requiredSize(value, 'size', path),
    digest: requiredDigest(value, 'digest', path),
  };
  const urls = optionalStringArray(value, 'urls', path);
  if (urls !== undefined) descriptor.urls = urls;
  return descriptor;
}

/** image-spec `Platform`: architecture, os, os.version, os.features, variant. */
export function ociPlatformJson(platform: Platform): GoJson {
  return goStruct([
    ['architecture', goString(platform.architecture)],
    ['os', goString(platform.os)],
    ['os.version', omitEmptyString(platform['os.version'])],
    ['os.features', omitEmptyStrings(platform['os.features'])],
    ['variant', omitEmptyString(platform.variant)],
  ]);
}

/** Go re-encodes `[]byte` as canonical padded base64. */
function dataJson(data: string | undefined): GoJson | undefined {
  if (data === undefined) return undefined;
  const bytes = Buffer.from(data, 'base64');
  return bytes.length === 0 ? undefined : goString(bytes.toString('base64'));
}

export function ociDescriptorJson(descriptor: OciDescriptor): GoJson {
  return goStruct([
    ['mediaType', goString(descriptor.mediaType)],
    ['digest', goString(descriptor.digest)],
    ['size', goInt(descriptor.size)],
    ['urls', omitEmptyStrings(descriptor.urls)],
    ['annotations', omitEmptyMap(descriptor.annotations)],
    ['data', dataJson(descriptor.data)],
    ['platform', descriptor.platform === undefined ? undefined : ociPlatformJson(descriptor.platform)],
    ['artifactType', omitEmptyString(descriptor.artifactType)],
  ]);
}

export function schema2DescriptorJson(descriptor: Schema2Descriptor): GoJson {
  return goStruct([
    ['mediaType', goString(descriptor.mediaType)],
    ['size', goInt(descriptor.size)],
    ['digest', goString(descriptor.digest)],
    ['urls', omitEmptyStrings(descriptor.urls)],
  ]);
}

export function blobInfoFromOci(descriptor: OciDescriptor): BlobInfo {
  const info: BlobInfo = {
    digest: descriptor.digest,
    size: descriptor.size,
    mediaType: descriptor.mediaType,
  };
  if (descriptor.urls !== undefined) info.urls = [...descriptor.urls];
  if (descriptor.annotations !== undefined) info.annotations = { ...descriptor.annotations };
  return info;
}

export function blobInfoFromSchema2(descriptor: Schema2Descriptor): BlobInfo {
  const info: BlobInfo = {
    digest: descriptor.digest,
    size: descriptor.size,
    mediaType: descriptor.mediaType,
  };
  if (descriptor.urls !== undefined) info.urls = [...descriptor.urls];
  return info;
}

export function clonePlatform(platform: Platform): Platform {
  const copy: Platform = { architecture: platform.architecture, os: platform.os };
  if (platform['os.version'] !== undefined) copy['os.version'] = platform['os.version'];
  if (platform['os.features'] !== undefined) copy['os.features'] = [...platform['os.features']];
  if (platform.variant !== undefined) copy.variant = platform.variant;
  if (platform.features !== undefined) copy.features = [...platform.features];
  return copy;
}

export function cloneOciDescriptor(descriptor: OciDescriptor): OciDescriptor {
  const copy: OciDescriptor = {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
  };
  if (descriptor.urls !== undefined) copy.urls = [...descriptor.urls];
  if (descriptor.annotations !== undefined) copy.annotations = { ...descriptor.annotations };
  if (descriptor.data !== undefined) copy.data = descriptor.data;
  if (descriptor.platform !== undefined) copy.platform = clonePlatform(descriptor.platform);
  if (descriptor.artifactType !== undefined) copy.artifactType = descriptor.artifactType;
  return copy;
}
