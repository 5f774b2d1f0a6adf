import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Digester, digestOf, isDigest, parseDigest } from '../src/digest.js';
import { isSkopeoError } from '../src/errors.js';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('digests', () => {
  it('computes sha256 of bytes and of a stream alike', () => {
    expect(digestOf(new Uint8Array())).toBe(EMPTY_SHA256);
    const digester = new Digester();
    digester.update(Buffer.from('hello '));
    digester.update(Buffer.from('world'));
    expect(digester.digest()).toBe(digestOf('hello world'));
    expect(digester.size).toBe(11);
  });

  it.each([
    ['sha256:abc', 'has 64 hex characters, this one has 3'],
    ['sha256', 'found no ":"'],
    [':abc', 'algorithm before ":" is empty'],
    ['md5:d41d8cd98f00b204e9800998ecf8427e', 'unsupported algorithm "md5"'],
    [`sha256:${'A'.repeat(64)}`, 'lowercase hexadecimal'],
    [`sha512:${'a'.repeat(64)}`, 'has 128 hex characters'],
    ['SHA256:abc', 'not a valid algorithm name'],
  ])('refuses %s with a reason', (input, reason) => {
    try {
      parseDigest(input);
      expect.unreachable();
    } catch (error) {
      expect(isSkopeoError(error, 'INVALID_DIGEST')).toBe(true);
      expect((error as Error).message).toContain(reason);
    }
  });

  it('accepts every supported algorithm at its exact length', () => {
    for (const [algorithm, length] of [
      ['sha256', 64],
      ['sha384', 96],
      ['sha512', 128],
    ] as const) {
      expect(parseDigest(`${algorithm}:${'0'.repeat(length)}`)).toEqual({
        algorithm,
        hex: '0'.repeat(length),
      });
    }
  });

  it('validates whatever digestOf produces (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array(),
        fc.constantFrom('sha256', 'sha384', 'sha512' as const),
        (bytes, algorithm) => {
          expect(isDigest(digestOf(bytes, algorithm))).toBe(true);
        },
      ),
    );
  });

  it('never throws anything but an INVALID_DIGEST error on random input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        try {
          parseDigest(input);
        } catch (error) {
          expect(isSkopeoError(error, 'INVALID_DIGEST')).toBe(true);
        }
      }),
    );
  });
});
