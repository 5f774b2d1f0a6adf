// Writes JSON byte for byte as Go's encoding/json.Marshal does, so that a manifest we change has
// the digest skopeo would give it: compact, struct fields in declaration order, map keys sorted
// by bytes, `<`, `>`, `&`, U+2028 and U+2029 escaped, `\b` and `\f` as short escapes (Go ≥ 1.22).

/** A JSON text fragment already encoded. */
export type GoJson = string & { readonly __goJson: true };

const HEX = '0123456789abcdef';

function u4(code: number): string {
  return `\\u${HEX[(code >> 12) & 15]}${HEX[(code >> 8) & 15]}${HEX[(code >> 4) & 15]}${HEX[code & 15]}`;
}

export function goString(value: string): GoJson {
  let out = '"';
  let start = 0;
  const flush = (end: number) => {
    if (end > start) out += value.slice(start, end);
  };
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    let escaped: string | undefined;
    if (code < 0x20) {
      switch (code) {
        case 0x08:
          escaped = '\\b';
          break;
        case 0x09:
          escaped = '\\t';
          break;
        case 0x0a:
          escaped = '\\n';
          break;
        case 0x0c:
          escaped = '\\f';
          break;
        case 0x0d:
          escaped = '\\r';
          break;
        default:
          escaped = u4(code);
      }
    } else if (code === 0x22) {
      escaped = '\\"';
    } else if (code === 0x5c) {
      escaped = '\\\\';
    } else if (code === 0x3c || code === 0x3e || code === 0x26 || code === 0x2028 || code === 0x2029) {
      escaped = u4(code);
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: written as is
        continue;
      }
      // A lone surrogate: Go's decoder turned it into U+FFFD, which it then writes raw.
      escaped = '\ufffd';
    }
    if (escaped !== undefined) {
      flush(i);
      out += escaped;
      start = i + 1;
    }
  }
  flush(value.length);
  return `${out}"` as GoJson;
}

export function goInt(value: number): GoJson {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer JSON can carry exactly`);
  return String(value) as GoJson;
}

export function goBool(value: boolean): GoJson {
  return (value ? 'true' : 'false') as GoJson;
}

export function goArray(items: readonly GoJson[]): GoJson {
  return `[${items.join(',')}]` as GoJson;
}

export function goStringArray(items: readonly string[]): GoJson {
  return goArray(items.map(goString));
}

/** A struct: fields in the order given; an undefined value is an omitted (omitempty) field. */
export function goStruct(fields: ReadonlyArray<readonly [string, GoJson | undefined]>): GoJson {
  const parts: string[] = [];
  for (const [key, value] of fields) {
    if (value !== undefined) parts.push(`${goString(key)}:${value}`);
  }
  return `{${parts.join(',')}}` as GoJson;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A Go map: keys sorted by their UTF-8 bytes. */
export function goMap(entries: ReadonlyArray<readonly [string, GoJson]>): GoJson {
  const sorted = [...entries].sort(([a], [b]) => compareBytes(a, b));
  return `{${sorted.map(([key, value]) => `${goString(key)}:${value}`).join(',')}}` as GoJson;
}

export function goStringMap(record: Readonly<Record<string, string>>): GoJson {
  return goMap(Object.entries(record).map(([key, value]) => [key, goString(value)] as const));
}

// omitempty helpers: Go omits empty strings, nil or empty slices and maps.
export function omitEmptyString(value: string | undefined): GoJson | undefined {
  return value === undefined || value === '' ? undefined : goString(value);
}

export function omitEmptyStrings(value: readonly string[] | undefined): GoJson | undefined {
  return value === undefined || value.length === 0 ? undefined : goStringArray(value);
}

export function omitEmptyMap(value: Readonly<Record<string, string>> | undefined): GoJson | undefined {
  return value === undefined || Object.keys(value).length === 0 ? undefined : goStringMap(value);
}

export function toBytes(json: GoJson): Uint8Array {
  return new Uint8Array(Buffer.from(json, 'utf8'));
}
