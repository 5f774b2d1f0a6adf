import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../digest.js';
import { isSkopeoError } from '../errors.js';
import { manifestDigest, manifestMatchesDigest, schema1SignedPayload } from './digest.js';
import { MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST, MEDIA_TYPE_OCI_MANIFEST } from './media-types.js';
import { parseManifest } from './parse.js';
import { DOCKER_V2S2, dec, enc, OCI_MANIFEST, schema1Object, signSchema1 } from './test-fixtures.js';

const body = JSON.stringify(schema1Object(), null, 3);

function protectedOf(header: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(header)).toString('base64url');
}

function withSignatures(blocks: unknown[]): Uint8Array {
  return enc(`${body.slice(0, -2)},\n   "signatures": ${JSON.stringify(blocks)}\n}`);
}

describe('manifestDigest', () => {
  it('is the sha256 of the bytes for OCI and Docker schema 2', () => {
    expect(manifestDigest(enc(OCI_MANIFEST))).toBe(digestOf(OCI_MANIFEST));
    expect(manifestDigest(enc(DOCKER_V2S2))).toBe(digestOf(DOCKER_V2S2));
    expect(manifestDigest(enc(OCI_MANIFEST), MEDIA_TYPE_OCI_MANIFEST)).toBe(digestOf(OCI_MANIFEST));
  });

  it('can use another algorithm', () => {
    expect(manifestDigest(enc(OCI_MANIFEST), undefined, 'sha512')).toBe(digestOf(OCI_MANIFEST, 'sha512'));
  });

  it('is the sha256 of the bytes for unsigned schema 1 and for non-manifests', () => {
    expect(manifestDigest(enc(body))).toBe(digestOf(body));
    expect(manifestDigest(new Uint8Array())).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(manifestDigest(enc('not json'))).toBe(digestOf('not json'));
  });

  it('strips the JWS signatures of a signed schema 1 manifest (a real ES256 signature)', () => {
    const { signed, payload, key, protectedHeader } = signSchema1(body);
    // The test signature is real: it verifies over protected.payload like any libtrust one.
    const parsed = JSON.parse(dec(signed)) as { signatures: { signature: string }[] };
    const signature = Buffer.from(parsed.signatures[0]?.signature ?? '', 'base64url');
    const signingInput = enc(`${protectedHeader}.${Buffer.from(payload).toString('base64url')}`);
    expect(verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);

    expect(dec(signed)).not.toBe(body);
    expect(dec(schema1SignedPayload(signed))).toBe(body);
    expect(manifestDigest(signed)).toBe(digestOf(payload));
    // The same image unsigned has the same digest.
    expect(manifestDigest(signed)).toBe(manifestDigest(enc(body)));
    expect(manifestDigest(signed, MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST)).toBe(digestOf(payload));
    expect(parseManifest(signed).mediaType).toBe(MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST);
  });

  it('handles compact (unindented) signed manifests', () => {
    const compact = JSON.stringify(schema1Object());
    const { signed, payload } = signSchema1(compact, '');
    expect(dec(payload)).toBe(compact);
    expect(manifestDigest(signed)).toBe(digestOf(compact));
  });

  it('accepts several signatures that agree', () => {
    const one = signSchema1(body);
    const header = JSON.parse(dec(one.signed)) as { signatures: unknown[] };
    const block = header.signatures[0];
    const twice = withSignatures([block, block]);
    expect(manifestDigest(twice)).toBe(digestOf(body));
  });

  it('refuses signatures that disagree on formatLength or formatTail', () => {
    const tail = Buffer.from('\n}').toString('base64url');
    const length = body.length - 2;
    const a = {
      header: { alg: 'ES256' },
      signature: 'x',
      protected: protectedOf({ formatLength: length, formatTail: tail }),
    };
    const b = {
      header: { alg: 'ES256' },
      signature: 'x',
      protected: protectedOf({ formatLength: length - 1, formatTail: tail }),
    };
    const c = {
      header: { alg: 'ES256' },
      signature: 'x',
      protected: protectedOf({ formatLength: length, formatTail: 'fQ' }),
    };
    expect(() => manifestDigest(withSignatures([a, b]))).toThrow(/conflicting formatLength/);
    expect(() => manifestDigest(withSignatures([a, c]))).toThrow(/conflicting formatTail/);
  });

  it.each([
    ['signatures that are not an array', 1, /must be an array/],
    ['a protected header that is not base64url', [{ protected: '!!!' }], /not valid base64url/],
    ['a protected header that is not JSON', [{ protected: 'bm90IGpzb24' }], /not valid JSON/],
    ['a missing formatLength', [{ protected: protectedOf({ formatTail: 'Cn0' }) }], /missing formatLength/],
    ['a missing formatTail', [{ protected: protectedOf({ formatLength: 10 }) }], /missing formatTail/],
    [
      'a formatLength past the end',
      [{ protected: protectedOf({ formatLength: 1e6, formatTail: 'Cn0' }) }],
      /invalid formatLength/,
    ],
  ])('refuses %s', (_name, signatures, message) => {
    const bytes = enc(JSON.stringify({ ...schema1Object(), signatures }));
    let caught: unknown;
    try {
      manifestDigest(bytes);
    } catch (error) {
      caught = error;
    }
    expect(isSkopeoError(caught, 'INVALID_MANIFEST')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('gives an empty payload for an empty signatures array, as libtrust does', () => {
    const bytes = enc(JSON.stringify({ ...schema1Object(), signatures: [] }));
    expect(manifestDigest(bytes)).toBe(digestOf(''));
  });
});

describe('manifestMatchesDigest', () => {
  it('compares with the expected digest', () => {
    expect(manifestMatchesDigest(enc(OCI_MANIFEST), digestOf(OCI_MANIFEST))).toBe(true);
    expect(manifestMatchesDigest(enc(OCI_MANIFEST), digestOf(DOCKER_V2S2))).toBe(false);
  });

  it('uses the expected digest’s algorithm', () => {
    expect(manifestMatchesDigest(enc(OCI_MANIFEST), digestOf(OCI_MANIFEST, 'sha512'))).toBe(true);
  });

  it('matches a signed schema 1 manifest by its payload digest', () => {
    const { signed, payload } = signSchema1(body);
    expect(manifestMatchesDigest(signed, digestOf(payload))).toBe(true);
    expect(manifestMatchesDigest(signed, digestOf(signed))).toBe(false);
  });

  it('refuses a malformed expected digest', () => {
    expect(() => manifestMatchesDigest(enc(OCI_MANIFEST), 'sha256:abc')).toThrow(/invalid digest/);
  });
});
