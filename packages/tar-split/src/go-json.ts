// JSON strings exactly as Go's encoding/json writes them with its default HTML escaping, so our
// tar-split lines are byte-identical to Go's: `<` `>` `&` become \u003c \u003e \u0026, U+2028
// and U+2029 are escaped, other non-ASCII characters stay raw UTF-8, and control characters use
// \n \r \t \b \f (Go 1.22 and later; older Go wrote \u0008 and \u000c) or \u00XX.

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

// Everything Go escapes: controls, `"`, `\`, `<`, `>`, `&`, U+2028, U+2029.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029]/;

function escapeCodeUnit(code: number): string {
  return SHORT_ESCAPES[code] ?? `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A quoted JSON string, as Go's json.Marshal writes a (valid UTF-8) string. */
export function goJsonString(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || code === 0x3c || code === 0x3e || code === 0x26) {
      out += escapeCodeUnit(code);
    } else if (code === 0x2028 || code === 0x2029) {
      out += escapeCodeUnit(code);
    } else {
      out += value[i];
    }
  }
  return `${out}"`;
}
