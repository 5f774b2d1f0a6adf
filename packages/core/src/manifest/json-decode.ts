// Decoding manifest bytes into JSON values the way Go's encoding/json sees them.
import { InvalidManifestError } from '../errors.js';

export type JsonObject = { [key: string]: unknown };

// Invalid UTF-8 becomes U+FFFD, as Go does; a byte-order mark is kept so that JSON.parse refuses
// it, as Go does.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Parses JSON text; undefined when it is not well-formed. */
export function tryParseJson(bytes: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(decodeUtf8(bytes)) as unknown };
  } catch {
    return undefined;
  }
}

/** Parses a manifest's JSON and requires a top-level object. */
export function parseJsonObject(bytes: Uint8Array, what = 'manifest'): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidManifestError(`the ${what} is not valid JSON (${detail})`, { cause: error });
  }
  if (!isJsonObject(value)) {
    throw new InvalidManifestError(`the ${what} is JSON ${describeJson(value)}, not an object`);
  }
  return value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "a string", "an array", "null" … for error messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** Own property lookup that ignores the prototype (a manifest may have a `__proto__` key). */
export function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
