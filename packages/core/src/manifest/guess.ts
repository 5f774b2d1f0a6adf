// Telling a manifest's type from its bytes (containers/image's GuessMIMEType), for manifests that
// come without a trustworthy media type (files on disk, servers answering text/plain).
import { isJsonObject, own, tryParseJson } from './json-decode.js';
import {
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  type ManifestMediaType,
} from './media-types.js';

/** A JSON value Go would decode into a `string` field (absent and null leave it empty). */
function goStringField(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : undefined;
}

/**
 * The manifest type the bytes say they are, or "" when they are not a manifest we recognise
 * (not JSON, not an object, an unknown schemaVersion …):
 * - a recognised `mediaType` field wins;
 * - else `schemaVersion` 1 is schema 1, signed when it has `signatures`;
 * - else, with `schemaVersion` 2, the config's media type tells OCI image from Docker schema 2,
 *   a non-empty `manifests` means an OCI index, and anything else is an OCI manifest (an
 *   artifact with its own config type).
 * Where Go's decoder would fail on a field of the wrong type, the answer is "" as in
 * containers/image. One difference: a schemaVersion 2 document with both `manifests` and a
 * config of another type is "" here (containers/image returns the config's media type).
 */
export function guessManifestMediaType(bytes: Uint8Array): ManifestMediaType | '' {
  const parsed = tryParseJson(bytes);
  if (parsed === undefined) return '';
  const json = parsed.value;
  if (!isJsonObject(json)) return '';
  const mediaType = goStringField(own(json, 'mediaType'));
  const schemaVersion = own(json, 'schemaVersion');
  if (mediaType === undefined) return '';
  if (schemaVersion !== undefined && schemaVersion !== null && !Number.isInteger(schemaVersion)) return '';

  switch (mediaType) {
    case MEDIA_TYPE_DOCKER_V2S2_MANIFEST:
    case MEDIA_TYPE_DOCKER_V2_LIST:
    case MEDIA_TYPE_OCI_MANIFEST:
    case MEDIA_TYPE_OCI_INDEX:
      return mediaType;
  }
  if (schemaVersion === 1) {
    const signatures = own(json, 'signatures');
    return signatures !== undefined && signatures !== null
      ? MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST
      : MEDIA_TYPE_DOCKER_V2S1_MANIFEST;
  }
  if (schemaVersion !== 2) return '';

  // Before image-spec 1.0.2 OCI manifests had no mediaType field.
  const config = own(json, 'config');
  let configMediaType = '';
  if (config !== undefined && config !== null) {
    if (!isJsonObject(config)) return '';
    const value = goStringField(own(config, 'mediaType'));
    if (value === undefined) return '';
    configMediaType = value;
  }
  if (configMediaType === MEDIA_TYPE_OCI_CONFIG) return MEDIA_TYPE_OCI_MANIFEST;
  // A Docker manifest must declare its mediaType; this is the best guess for one that does not.
  if (configMediaType === MEDIA_TYPE_DOCKER_V2S2_CONFIG) return MEDIA_TYPE_DOCKER_V2S2_MANIFEST;

  const manifests = own(json, 'manifests');
  if (manifests !== undefined && manifests !== null) {
    if (!Array.isArray(manifests) || !manifests.every((entry) => entry === null || isJsonObject(entry)))
      return '';
    if (manifests.length > 0) return configMediaType === '' ? MEDIA_TYPE_OCI_INDEX : '';
  }
  // Most likely an OCI artifact with its own config type.
  return MEDIA_TYPE_OCI_MANIFEST;
}
