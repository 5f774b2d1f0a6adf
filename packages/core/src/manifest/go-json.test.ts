import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  goInt,
  goMap,
  goString,
  goStringMap,
  goStruct,
  omitEmptyMap,
  omitEmptyString,
  omitEmptyStrings,
} from './go-json.js';

describe('Go-compatible JSON', () => {
  it.each([
    ['plain', 'abc', '"abc"'],
    ['quote and backslash', 'a"b\\c', '"a\\"b\\\\c"'],
    ['short escapes (Go ≥ 1.22 writes \\b and \\f)', '\b\f\n\r\t', '"\\b\\f\\n\\r\\t"'],
    ['other control characters', '\u0000\u001f', '"\\u0000\\u001f"'],
    ['HTML characters', '<a href="x">&</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"'],
    ['line and paragraph separators', '\u2028\u2029', '"\\u2028\\u2029"'],
    ['DEL stays raw', '\u007f', '"\u007f"'],
    ['non-ASCII stays raw', 'é漢字🙂', '"é漢字🙂"'],
    ['a lone surrogate becomes U+FFFD', 'a\ud800b', '"a\ufffdb"'],
  ])('%s', (_name, input, expected) => {
    expect(goString(input)).toBe(expected);
  });

  it('round-trips any string through JSON.parse', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(JSON.parse(goString(text))).toBe(text);
      }),
    );
  });

  it('sorts map keys by UTF-8 bytes, not UTF-16 units', () => {
    // U+FF5E (fullwidth tilde) sorts after U+1F600 in UTF-16 but before it in UTF-8.
    expect(goStringMap({ b: '2', a: '1', '😀': 'e', '～': 't', '10': 'x', '9': 'y' })).toBe(
      '{"10":"x","9":"y","a":"1","b":"2","～":"t","😀":"e"}',
    );
    expect(goMap([])).toBe('{}');
  });

  it('writes struct fields in order and omits empty ones', () => {
    expect(
      goStruct([
        ['z', goInt(1)],
        ['a', omitEmptyString('')],
        ['b', omitEmptyStrings([])],
        ['c', omitEmptyMap({})],
        ['d', omitEmptyString('x')],
      ]),
    ).toBe('{"z":1,"d":"x"}');
  });

  it('refuses numbers JSON cannot carry exactly', () => {
    expect(() => goInt(2 ** 53)).toThrow(RangeError);
    expect(() => goInt(1.5)).toThrow(RangeError);
  });
});
