// JSON strings as Go's encoding/json writes them (HTML-safe escaping, raw UTF-8 otherwise).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goJsonString } from '../src/go-json.js';

describe('goJsonString', () => {
  it('escapes what Go escapes and nothing else', () => {
    expect(goJsonString('plain/path.txt')).toBe('"plain/path.txt"');
    expect(goJsonString('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"');
    expect(goJsonString('quote" back\\')).toBe('"quote\\" back\\\\"');
    expect(goJsonString('\n\r\t\b\f\u0001\u001f\u007f')).toBe('"\\n\\r\\t\\b\\f\\u0001\\u001f\u007f"');
    expect(goJsonString('café ✓ 😀')).toBe('"café ✓ 😀"');
    expect(goJsonString('\u2028\u2029')).toBe('"\\u2028\\u2029"');
  });

  it('always parses back to the same string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(JSON.parse(goJsonString(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
