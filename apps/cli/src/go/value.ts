// A small model of the Go values skopeo prints (structs with json tags, slices, maps, *time.Time),
// so that one description of an output drives both encoding/json and text/template printing with
// Go's rules: field order, omitempty/omitzero, nil versus empty, sorted map keys.
import type { GoTime } from './time.js';

export type GoValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** A *time.Time: undefined is nil. */
  | { readonly kind: 'time'; readonly value: GoTime | undefined }
  /** A slice: undefined items is a nil slice (JSON null), [] an empty one. */
  | { readonly kind: 'slice'; readonly items: readonly GoValue[] | undefined }
  /** A map with string keys: undefined entries is a nil map. Keys print sorted, as Go does. */
  | { readonly kind: 'map'; readonly entries: ReadonlyMap<string, GoValue> | undefined }
  | { readonly kind: 'struct'; readonly typeName: string; readonly fields: readonly GoField[] };

export interface GoField {
  /** The Go field name (what templates use). */
  readonly name: string;
  /** The JSON key. */
  readonly json: string;
  readonly omitEmpty?: boolean;
  readonly omitZero?: boolean;
  readonly value: GoValue;
}

export const goString = (value: string): GoValue => ({ kind: 'string', value });
export const goInt = (value: number): GoValue => ({ kind: 'int', value });
export const goBool = (value: boolean): GoValue => ({ kind: 'bool', value });
export const goTime = (value: GoTime | undefined): GoValue => ({ kind: 'time', value });

export function goStringSlice(items: readonly string[] | undefined): GoValue {
  return { kind: 'slice', items: items?.map(goString) };
}

export function goSlice(items: readonly GoValue[] | undefined): GoValue {
  return { kind: 'slice', items };
}

export function goStringMap(record: Readonly<Record<string, string>> | undefined): GoValue {
  if (record === undefined) return { kind: 'map', entries: undefined };
  return {
    kind: 'map',
    entries: new Map(Object.entries(record).map(([key, value]) => [key, goString(value)])),
  };
}

export function goMap(entries: ReadonlyMap<string, GoValue> | undefined): GoValue {
  return { kind: 'map', entries };
}

export function goStruct(typeName: string, fields: readonly GoField[]): GoValue {
  return { kind: 'struct', typeName, fields };
}

/** encoding/json's "empty" for omitempty. */
export function isGoEmpty(value: GoValue): boolean {
  switch (value.kind) {
    case 'string':
      return value.value === '';
    case 'int':
      return value.value === 0;
    case 'bool':
      return !value.value;
    case 'time':
      return value.value === undefined;
    case 'slice':
      return value.items === undefined || value.items.length === 0;
    case 'map':
      return value.entries === undefined || value.entries.size === 0;
    case 'struct':
      return false;
  }
}

/** Go's zero value, for omitzero: nil (not merely empty) slices and maps. */
export function isGoZero(value: GoValue): boolean {
  switch (value.kind) {
    case 'slice':
      return value.items === undefined;
    case 'map':
      return value.entries === undefined;
    case 'struct':
      return value.fields.every((field) => isGoZero(field.value));
    default:
      return isGoEmpty(value);
  }
}

/** Map keys in Go's printing order (byte order of the UTF-8 encoding). */
export function sortedKeys(entries: ReadonlyMap<string, GoValue>): string[] {
  return [...entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Go's truthiness in templates (`if`, `and`, `or`, `not`). */
export function isGoTruthy(value: GoValue | undefined): boolean {
  if (value === undefined) return false;
  if (value.kind === 'struct') return true;
  return !isGoEmpty(value);
}
