// Reading parsed JSON the way encoding/json fills a Go struct: keys match field names without
// regard to case (the last matching key wins), null leaves the zero value, and a value of the
// wrong type is an error naming the field, as Go's UnmarshalTypeError does.
import { parseGoTime, type GoTime } from './time.js';

export type JsonObject = { readonly [key: string]: unknown };

export class GoDecodeError extends Error {
  constructor(found: unknown, path: string, goType: string) {
    super(`json: cannot unmarshal ${jsonKind(found)} into Go struct field ${path} of type ${goType}`);
    this.name = 'GoDecodeError';
  }
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of the key matching `name` as Go matches struct fields; undefined when absent. */
export function goField(object: JsonObject, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const folded = name.toLowerCase();
  let found: unknown;
  for (const [key, value] of Object.entries(object)) {
    if (key.toLowerCase() === folded) found = value;
  }
  return found;
}

export function decodeString(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new GoDecodeError(value, path, 'string');
  return value;
}

export function decodeBool(value: unknown, path: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new GoDecodeError(value, path, 'bool');
  return value;
}

/** A []string: undefined for absent or null (a nil slice). */
export function decodeStringSlice(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new GoDecodeError(value, path, '[]string');
  return value.map((item) => decodeString(item, path));
}

/** A map[string]string: undefined for absent or null (a nil map). */
export function decodeStringMap(value: unknown, path: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new GoDecodeError(value, path, 'map[string]string');
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) out[key] = decodeString(item, path);
  return out;
}

/** A map[string]struct{} (exposed ports, volumes): only the keys matter. */
export function decodeStringSet(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new GoDecodeError(value, path, 'map[string]struct {}');
  for (const item of Object.values(value)) {
    if (item !== null && !isJsonObject(item)) throw new GoDecodeError(item, path, 'struct {}');
  }
  return Object.keys(value);
}

/** A *time.Time: undefined for absent or null. */
export function decodeTime(value: unknown, path: string): GoTime | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new GoDecodeError(value, path, 'time.Time');
  return parseGoTime(value);
}

/** A nested struct: undefined for absent or null. */
export function decodeObject(value: unknown, path: string, goType: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new GoDecodeError(value, path, goType);
  return value;
}

export function decodeArray(value: unknown, path: string, goType: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new GoDecodeError(value, path, goType);
  return value;
}
