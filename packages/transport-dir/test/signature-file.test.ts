import { isSkopeoError, type Signature } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import { decodeSignature, encodeSignature } from '../src/signature-file.js';

describe('signature files', () => {
  it('store simple signing signatures as their raw OpenPGP bytes', () => {
    const bytes = Buffer.from([0xa3, 0x01, 0x02, 0x03]);
    const encoded = encodeSignature({ kind: 'simple-signing', bytes });
    expect(Buffer.from(encoded)).toEqual(bytes);
    expect(decodeSignature(encoded, 'sig')).toEqual({ kind: 'simple-signing', bytes });
  });

  it('store sigstore signatures as containers/image does (zero byte, format, JSON with sorted keys)', () => {
    const signature: Signature = {
      kind: 'sigstore',
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      payload: Buffer.from('{"critical":{}}'),
      annotations: { z: '1', 'dev.cosignproject.cosign/signature': 'a<b>&c' },
    };
    const encoded = Buffer.from(encodeSignature(signature));
    expect(encoded.toString('latin1')).toBe(
      '\0sigstore-json\n{"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json",' +
        `"payload":"${Buffer.from('{"critical":{}}').toString('base64')}",` +
        '"annotations":{"dev.cosignproject.cosign/signature":"a\\u003cb\\u003e\\u0026c","z":"1"}}',
    );
    const decoded = decodeSignature(encoded, 'sig');
    expect(decoded.kind).toBe('sigstore');
    if (decoded.kind !== 'sigstore') return;
    expect(decoded.mediaType).toBe(signature.mediaType);
    expect(Buffer.from(decoded.payload).toString()).toBe('{"critical":{}}');
    expect(decoded.annotations).toEqual(signature.annotations);
  });

  it('read the explicit simple-signing format', () => {
    const decoded = decodeSignature(Buffer.from('\0simple-signing\nabc'), 'sig');
    expect(decoded).toEqual({ kind: 'simple-signing', bytes: Buffer.from('abc') });
  });

  it('refuse what they cannot read, naming the file', () => {
    expect(() => decodeSignature(new Uint8Array(), '/x/signature-1')).toThrow(/\/x\/signature-1.*empty/);
    expect(() => decodeSignature(Buffer.from('hello'), 's')).toThrow(/unrecognized format/);
    expect(() => decodeSignature(Buffer.from('\0other\n{}'), 's')).toThrow(/"other"/);
    expect(() => decodeSignature(Buffer.from('\0sigstore-json'), 's')).toThrow(/newline/);
    expect(() => decodeSignature(Buffer.from('\0sigstore-json\n[1'), 's')).toThrow(/invalid sigstore JSON/);
  });

  it('report what they cannot read as CORRUPT', () => {
    for (const bytes of [new Uint8Array(), Buffer.from('hello'), Buffer.from('\0sigstore-json\n[1')]) {
      let thrown: unknown;
      try {
        decodeSignature(bytes, '/x/signature-1');
      } catch (error) {
        thrown = error;
      }
      expect(isSkopeoError(thrown, 'CORRUPT')).toBe(true);
    }
  });
});
