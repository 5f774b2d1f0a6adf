// encoding/json output for GoValues: json.MarshalIndent (skopeo's inspect output) and the compact
// form of json.Encoder (the template `json` function), with Go's string escaping.
import { formatRFC3339Nano } from './time.js';
import { type GoValue, isGoEmpty, isGoZero, sortedKeys } from './value.js';

export interface GoJsonOptions {
  /** Indentation per level; undefined writes compact JSON. */
  indent?: string;
  /** Escape <, > and & as json.Marshal does (json.Encoder with SetEscapeHTML(false) does not). */
  escapeHTML: boolean;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A JSON string literal as Go writes it. */
export function goJsonString(text: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) {
      out += short;
    } else if (code < 0x20) {
      out += unicodeEscape(code);
    } else if (escapeHTML && (char === '<' || char === '>' || char === '&')) {
      out += unicodeEscape(code);
    } else if (code === 0x2028 || code === 0x2029) {
      // Go escapes the JavaScript line separators always.
      out += unicodeEscape(code);
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += char + text[i + 1];
        i++;
      } else {
        // A lone surrogate is not valid UTF-8: Go writes the replacement character.
        out += '\ufffd';
      }
    } else {
      out += char;
    }
  }
  return `${out}"`;
}

export function marshalGoJson(value: GoValue, options: GoJsonOptions): string {
  return encode(value, options, '');
}

function encode(value: GoValue, options: GoJsonOptions, prefix: string): string {
  switch (value.kind) {
    case 'string':
      return goJsonString(value.value, options.escapeHTML);
    case 'int':
      return String(value.value);
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'time':
      return value.value === undefined ? 'null' : `"${formatRFC3339Nano(value.value)}"`;
    case 'slice': {
      if (value.items === undefined) return 'null';
      return container(
        '[',
        ']',
        value.items.map((item) => (inner) => encode(item, options, inner)),
        options,
        prefix,
      );
    }
    case 'map': {
      if (value.entries === undefined) return 'null';
      const entries = value.entries;
      return container(
        '{',
        '}',
        sortedKeys(entries).map((key) => (inner) => member(key, entries.get(key) as GoValue, options, inner)),
        options,
        prefix,
      );
    }
    case 'struct': {
      const fields = value.fields.filter(
        (field) => !(field.omitEmpty && isGoEmpty(field.value)) && !(field.omitZero && isGoZero(field.value)),
      );
      return container(
        '{',
        '}',
        fields.map((field) => (inner) => member(field.json, field.value, options, inner)),
        options,
        prefix,
      );
    }
  }
}

function member(key: string, value: GoValue, options: GoJsonOptions, prefix: string): string {
  const separator = options.indent === undefined ? ':' : ': ';
  return goJsonString(key, options.escapeHTML) + separator + encode(value, options, prefix);
}

function container(
  open: string,
  close: string,
  parts: ReadonlyArray<(prefix: string) => string>,
  options: GoJsonOptions,
  prefix: string,
): string {
  if (parts.length === 0) return open + close;
  if (options.indent === undefined) return open + parts.map((part) => part('')).join(',') + close;
  const inner = prefix + options.indent;
  return `${open}\n${parts.map((part) => inner + part(inner)).join(',\n')}\n${prefix}${close}`;
}
