// A signed Docker schema 1 manifest made on the spot (libtrust's "pretty signature" JWS with a
// fresh P-256 key), so that manifest-digest can be compared with skopeo on a real signed one.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** libtrust's key ID: base32 of the first 240 bits of sha256(DER public key), in groups of 4. */
function libtrustKeyId(der: Buffer): string {
  const encoded = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  return (encoded.match(/.{4}/g) ?? []).join(':');
}

export function signedSchema1Manifest(): string {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = libtrustKeyId(publicKey.export({ type: 'spki', format: 'der' }));
  const v1 = JSON.stringify({
    id: 'a'.repeat(64),
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
  });
  const body = `{
   "schemaVersion": 1,
   "name": "library/demo",
   "tag": "latest",
   "architecture": "amd64",
   "fsLayers": [
      {
         "blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
      }
   ],
   "history": [
      {
         "v1Compatibility": ${JSON.stringify(v1)}
      }
   ]`;
  const tail = '\n}';
  const protectedHeader = b64url(
    JSON.stringify({ formatLength: body.length, formatTail: b64url(tail), time: '2024-01-01T00:00:00Z' }),
  );
  const signature = sign('sha256', Buffer.from(`${protectedHeader}.${b64url(body + tail)}`), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  }).toString('base64url');
  const header = { jwk: { crv: 'P-256', kid, kty: 'EC', x: jwk.x, y: jwk.y }, alg: 'ES256' };
  return `${body},
   "signatures": [
      {
         "header": ${JSON.stringify(header)},
         "signature": "${signature}",
         "protected": "${protectedHeader}"
      }
   ]
}`;
}
