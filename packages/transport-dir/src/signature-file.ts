// How one signature is stored in a `signature-N` file (containers/image's signature.Blob/FromBlob):
// simple-signing signatures are the raw OpenPGP bytes (the historical format); other formats are
// a zero byte, the format name, a newline, then the format's own bytes. sigstore's bytes are the
// JSON {"mimeType", "payload" (base64), "annotations"}.
import { type Signature, SkopeoError } from '@skopeo-ts/core';

const FORMAT_SIMPLE_SIGNING = 'simple-signing';
const FORMAT_SIGSTORE = 'sigstore-json';

/**
 * First bytes of an OpenPGP message (compressed data, one-pass signature or signature packet),
 * old and new packet formats. containers/image lists 0x3d where 0x93 is meant; both are accepted.
 */
const OPENPGP_FIRST_BYTES = new Set([
  0xa0, 0xa1, 0xa2, 0xa3, 0xc8, 0x90, 0x91, 0x92, 0x93, 0x3d, 0xc4, 0x88, 0x89, 0x8a, 0x8b, 0xc2,
]);

export function encodeSignature(signature: Signature): Uint8Array {
  if (signature.kind === 'simple-signing') return Buffer.from(signature.bytes);
  const chunk = Buffer.from(
    goJsonEscape(
      JSON.stringify({
        mimeType: signature.mediaType,
        payload: Buffer.from(signature.payload).toString('base64'),
        annotations: sortedByUtf8(signature.annotations),
      }),
    ),
  );
  return Buffer.concat([Buffer.from([0]), Buffer.from(`${FORMAT_SIGSTORE}\n`), chunk]);
}

/** Parses a signature file; `path` names it in errors. */
export function decodeSignature(blob: Uint8Array, path: string): Signature {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const first = bytes[0];
  if (first === undefined) throw signatureError(path, 'the file is empty');
  if (OPENPGP_FIRST_BYTES.has(first)) return { kind: 'simple-signing', bytes: Buffer.from(bytes) };
  if (first !== 0) {
    throw signatureError(path, `unrecognized format, starting with byte 0x${first.toString(16)}`);
  }
  const newline = bytes.indexOf(0x0a, 1);
  if (newline < 0) throw signatureError(path, 'the format name is not followed by a newline');
  const format = bytes.subarray(1, newline);
  if (format.some((byte) => byte < 0x20 || byte >= 0x7f)) {
    throw signatureError(path, 'the format name is not printable ASCII');
  }
  const name = format.toString('latin1');
  const chunk = bytes.subarray(newline + 1);
  if (name === FORMAT_SIMPLE_SIGNING) return { kind: 'simple-signing', bytes: Buffer.from(chunk) };
  if (name === FORMAT_SIGSTORE) return decodeSigstore(chunk, path);
  throw signatureError(path, `unrecognized signature format "${name}"`);
}

function decodeSigstore(chunk: Buffer, path: string): Signature {
  let json: unknown;
  try {
    json = JSON.parse(chunk.toString('utf8'));
  } catch (error) {
    throw signatureError(path, `invalid sigstore JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw signatureError(path, 'the sigstore signature is not a JSON object');
  }
  const { mimeType, payload, annotations } = json as Record<string, unknown>;
  // As Go decodes into string/[]byte/map fields: null leaves them empty.
  if (mimeType !== undefined && mimeType !== null && typeof mimeType !== 'string') {
    throw signatureError(path, '"mimeType" is not a string');
  }
  if (payload !== undefined && payload !== null && typeof payload !== 'string') {
    throw signatureError(path, '"payload" is not a base64 string');
  }
  const entries: [string, string][] = [];
  if (annotations !== undefined && annotations !== null) {
    if (typeof annotations !== 'object' || Array.isArray(annotations)) {
      throw signatureError(path, '"annotations" is not an object');
    }
    for (const [key, value] of Object.entries(annotations)) {
      if (typeof value !== 'string') throw signatureError(path, `annotation "${key}" is not a string`);
      entries.push([key, value]);
    }
  }
  return {
    kind: 'sigstore',
    mediaType: mimeType ?? '',
    payload: Buffer.from(payload ?? '', 'base64'),
    // fromEntries defines own properties: a "__proto__" key stays a key.
    annotations: Object.fromEntries(entries),
  };
}

/** A signature file that cannot be read is damaged (or of a format nothing writes): CORRUPT. */
function signatureError(path: string, reason: string): SkopeoError {
  return new SkopeoError('CORRUPT', `cannot read signature ${path}: ${reason}`);
}

/** Go's encoding/json sorts map keys by their UTF-8 bytes. */
function sortedByUtf8(record: Record<string, string>): Record<string, string> {
  const entries = Object.entries(record).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(entries);
}

/** Go's encoding/json escapes these for HTML safety; do the same so the files are byte-identical. */
function goJsonEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
