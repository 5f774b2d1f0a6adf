// Typed reads of manifest JSON fields; every error names the field's path.
import type { Platform } from '../contracts/types.js';
import { type Digest, parseDigest } from '../digest.js';
import { InvalidManifestError, isSkopeoError } from '../errors.js';
import { describeJson, isJsonObject, type JsonObject, own } from './json-decode.js';

function fieldPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function wrongType(path: string, expected: string, value: unknown): InvalidManifestError {
  return new InvalidManifestError(`${path} must be ${expected}, found ${describeJson(value)}`);
}

/** A field that is absent or null reads as undefined (Go leaves the zero value). */
function present(object: JsonObject, key: string): unknown {
  const value = own(object, key);
  return value === null ? undefined : value;
}

export function optionalString(object: JsonObject, key: string, path: string): string | undefined {
  const value = present(object, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw wrongType(fieldPath(path, key), 'a string', value);
  return value;
}

export function requiredString(object: JsonObject, key: string, path: string): string {
  const value = optionalString(object, key, path);
  if (value === undefined) throw new InvalidManifestError(`${fieldPath(path, key)} is missing`);
  return value;
}

export function requiredObject(object: JsonObject, key: string, path: string): JsonObject {
  const value = present(object, key);
  if (value === undefined) throw new InvalidManifestError(`${fieldPath(path, key)} is missing`);
  if (!isJsonObject(value)) throw wrongType(fieldPath(path, key), 'an object', value);
  return value;
}

export function optionalObject(object: JsonObject, key: string, path: string): JsonObject | undefined {
  const value = present(object, key);
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw wrongType(fieldPath(path, key), 'an object', value);
  return value;
}

/** An array field; `null` reads as empty when `nullIsEmpty` (Go decodes it as a nil slice). */
export function requiredArray(
  object: JsonObject,
  key: string,
  path: string,
  options: { nullIsEmpty?: boolean } = {},
): unknown[] {
  const raw = own(object, key);
  if (raw === null && options.nullIsEmpty) return [];
  if (raw === undefined || raw === null) throw new InvalidManifestError(`${fieldPath(path, key)} is missing`);
  if (!Array.isArray(raw)) throw wrongType(fieldPath(path, key), 'an array', raw);
  return raw;
}

export function arrayOfObjects(items: unknown[], path: string): JsonObject[] {
  return items.map((item, index) => {
    if (!isJsonObject(item)) throw wrongType(`${path}[${index}]`, 'an object', item);
    return item;
  });
}

export function optionalStringArray(object: JsonObject, key: string, path: string): string[] | undefined {
  const value = present(object, key);
  if (value === undefined) return undefined;
  const where = fieldPath(path, key);
  if (!Array.isArray(value)) throw wrongType(where, 'an array of strings', value);
  return value.map((item, index) => {
    if (typeof item !== 'string') throw wrongType(`${where}[${index}]`, 'a string', item);
    return item;
  });
}

export function optionalStringMap(
  object: JsonObject,
  key: string,
  path: string,
): Record<string, string> | undefined {
  const value = present(object, key);
  if (value === undefined) return undefined;
  const where = fieldPath(path, key);
  if (!isJsonObject(value)) throw wrongType(where, 'an object of strings', value);
  const entries = Object.entries(value).map(([name, item]) => {
    if (typeof item !== 'string') throw wrongType(`${where}[${JSON.stringify(name)}]`, 'a string', item);
    return [name, item] as const;
  });
  // fromEntries defines own properties, so a "__proto__" key stays an ordinary key.
  return Object.fromEntries(entries);
}

export function requiredInteger(object: JsonObject, key: string, path: string): number {
  const value = present(object, key);
  const where = fieldPath(path, key);
  if (value === undefined) throw new InvalidManifestError(`${where} is missing`);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(where, 'an integer', value);
  return value;
}

export function requiredSize(object: JsonObject, key: string, path: string): number {
  const value = present(object, key);
  const where = fieldPath(path, key);
  if (value === undefined) throw new InvalidManifestError(`${where} is missing`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidManifestError(
      `${where} must be a non-negative integer, found ${typeof value === 'number' ? String(value) : describeJson(value)}`,
    );
  }
  return value;
}

export function requiredDigest(object: JsonObject, key: string, path: string): Digest {
  const value = requiredString(object, key, path);
  return checkDigest(value, fieldPath(path, key));
}

export function checkDigest(value: string, where: string): Digest {
  try {
    parseDigest(value);
  } catch (error) {
    if (isSkopeoError(error)) throw new InvalidManifestError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
  return value as Digest;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go decodes a `[]byte` field from standard, padded base64. */
export function optionalBase64(object: JsonObject, key: string, path: string): string | undefined {
  const value = optionalString(object, key, path);
  if (value === undefined) return undefined;
  if (!BASE64.test(value.replace(/[\r\n]/g, ''))) {
    throw new InvalidManifestError(`${fieldPath(path, key)} must be standard base64`);
  }
  return value;
}

/** A platform object: `architecture` and `os` required, the rest optional. */
export function readPlatform(value: JsonObject, path: string, options: { features: boolean }): Platform {
  const platform: Platform = {
    architecture: requiredString(value, 'architecture', path),
    os: requiredString(value, 'os', path),
  };
  const osVersion = optionalString(value, 'os.version', path);
  if (osVersion !== undefined) platform['os.version'] = osVersion;
  const osFeatures = optionalStringArray(value, 'os.features', path);
  if (osFeatures !== undefined) platform['os.features'] = osFeatures;
  const variant = optionalString(value, 'variant', path);
  if (variant !== undefined) platform.variant = variant;
  if (options.features) {
    const features = optionalStringArray(value, 'features', path);
    if (features !== undefined) platform.features = features;
  }
  return platform;
}

/** The "essential" fields that tell one manifest format from another. */
const FORMAT_FIELDS = ['config', 'fsLayers', 'history', 'layers', 'manifests'] as const;
export type FormatField = (typeof FORMAT_FIELDS)[number];

/**
 * Refuses a manifest that also looks like another format (containers/image's
 * ValidateUnambiguousManifestFormat): a key matching another format's essential field, compared
 * without case as Go's decoder matches keys, with a non-null value.
 */
export function rejectAmbiguousFields(
  object: JsonObject,
  mediaType: string,
  allowed: readonly FormatField[],
): void {
  const unexpected: string[] = [];
  for (const field of FORMAT_FIELDS) {
    if (allowed.includes(field)) continue;
    const lower = field.toLowerCase();
    for (const key of Object.keys(object)) {
      if (key.toLowerCase() === lower && object[key] !== null) unexpected.push(key);
    }
  }
  if (unexpected.length > 0) {
    throw new InvalidManifestError(
      `rejecting ambiguous manifest: unexpected field${unexpected.length > 1 ? 's' : ''} ${unexpected
        .map((key) => `"${key}"`)
        .join(', ')} in a supposed ${mediaType}`,
    );
  }
}

/** `schemaVersion` must be the given number. */
export function requireSchemaVersion(object: JsonObject, expected: number, mediaType: string): void {
  const value = own(object, 'schemaVersion');
  if (value === undefined || value === null) {
    throw new InvalidManifestError(`schemaVersion is missing (expected ${expected} for ${mediaType})`);
  }
  if (value !== expected) {
    throw new InvalidManifestError(
      `schemaVersion is ${typeof value === 'number' ? value : describeJson(value)}, expected ${expected} for ${mediaType}`,
    );
  }
}

/** The `mediaType` field, when present, must be the expected type. */
export function requireMediaTypeField(
  object: JsonObject,
  expected: string,
  options: { required: boolean },
): string | undefined {
  const value = optionalString(object, 'mediaType', '');
  if (value === undefined || value === '') {
    if (options.required) throw new InvalidManifestError(`mediaType is missing (expected "${expected}")`);
    return undefined;
  }
  if (value !== expected) {
    throw new InvalidManifestError(
      `the manifest's mediaType is "${value}", but it was expected to be "${expected}"`,
    );
  }
  return value;
}
