// OCI image manifest (application/vnd.oci.image.manifest.v1+json).
import {
  cloneOciDescriptor,
  type OciDescriptor,
  ociDescriptorJson,
  readOciDescriptor,
} from './descriptor.js';
import {
  arrayOfObjects,
  optionalObject,
  optionalString,
  optionalStringMap,
  rejectAmbiguousFields,
  requiredArray,
  requiredObject,
  requireMediaTypeField,
  requireSchemaVersion,
} from './fields.js';
import { type GoJson, goArray, goInt, goStruct, omitEmptyMap, omitEmptyString, toBytes } from './go-json.js';
import type { JsonObject } from './json-decode.js';
import { MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_MANIFEST } from './media-types.js';

/** image-spec `Manifest`. */
export interface OciManifest {
  schemaVersion: 2;
  /** Optional in the JSON before image-spec 1.0.2; when absent it stays absent. */
  mediaType?: string;
  artifactType?: string;
  config: OciDescriptor;
  layers: OciDescriptor[];
  subject?: OciDescriptor;
  annotations?: Record<string, string>;
}

/** Validates an OCI image manifest's JSON and returns its typed view. */
export function readOciManifest(json: JsonObject): OciManifest {
  requireSchemaVersion(json, 2, MEDIA_TYPE_OCI_MANIFEST);
  const mediaType = requireMediaTypeField(json, MEDIA_TYPE_OCI_MANIFEST, { required: false });
  rejectAmbiguousFields(json, MEDIA_TYPE_OCI_MANIFEST, ['config', 'layers']);
  const manifest: OciManifest = {
    schemaVersion: 2,
    config: readOciDescriptor(requiredObject(json, 'config', ''), 'config'),
    // containers/image accepts `"layers": null` (seen in artifacts).
    layers: arrayOfObjects(requiredArray(json, 'layers', '', { nullIsEmpty: true }), 'layers').map(
      (layer, i) => readOciDescriptor(layer, `layers[${i}]`),
    ),
  };
  if (mediaType !== undefined) manifest.mediaType = mediaType;
  const artifactType = optionalString(json, 'artifactType', '');
  if (artifactType !== undefined) manifest.artifactType = artifactType;
  const subject = optionalObject(json, 'subject', '');
  if (subject !== undefined) manifest.subject = readOciDescriptor(subject, 'subject');
  const annotations = optionalStringMap(json, 'annotations', '');
  if (annotations !== undefined) manifest.annotations = annotations;
  return manifest;
}

export function ociManifestJson(manifest: OciManifest): GoJson {
  return goStruct([
    ['schemaVersion', goInt(manifest.schemaVersion)],
    ['mediaType', omitEmptyString(manifest.mediaType)],
    ['artifactType', omitEmptyString(manifest.artifactType)],
    ['config', ociDescriptorJson(manifest.config)],
    ['layers', goArray(manifest.layers.map(ociDescriptorJson))],
    ['subject', manifest.subject === undefined ? undefined : ociDescriptorJson(manifest.subject)],
    ['annotations', omitEmptyMap(manifest.annotations)],
  ]);
}

/** The manifest as containers/image's OCI1.Serialize writes it (json.Marshal). */
export function serializeOciManifest(manifest: OciManifest): Uint8Array {
  return toBytes(ociManifestJson(manifest));
}

export function cloneOciManifest(manifest: OciManifest): OciManifest {
  const copy: OciManifest = {
    schemaVersion: 2,
    config: cloneOciDescriptor(manifest.config),
    layers: manifest.layers.map(cloneOciDescriptor),
  };
  if (manifest.mediaType !== undefined) copy.mediaType = manifest.mediaType;
  if (manifest.artifactType !== undefined) copy.artifactType = manifest.artifactType;
  if (manifest.subject !== undefined) copy.subject = cloneOciDescriptor(manifest.subject);
  if (manifest.annotations !== undefined) copy.annotations = { ...manifest.annotations };
  return copy;
}

/**
 * Whether the manifest is a container image rather than another artifact: its config is an OCI
 * image config (containers/image refuses image-only operations otherwise).
 */
export function isOciImage(manifest: OciManifest): boolean {
  return manifest.config.mediaType === MEDIA_TYPE_OCI_CONFIG;
}

/** The artifact's type: `artifactType`, else the config's media type. */
export function ociArtifactType(manifest: OciManifest): string {
  return manifest.artifactType !== undefined && manifest.artifactType !== ''
    ? manifest.artifactType
    : manifest.config.mediaType;
}
