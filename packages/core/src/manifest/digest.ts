// Manifest digests. A signed schema 1 manifest is identified by its payload: the document with the
// JWS `signatures` removed, rebuilt exactly as docker/libtrust's ParsePrettySignature does.
import { type Digest, type DigestAlgorithm, digestAlgorithm, digestOf, parseDigest } from '../digest.js';
import { InvalidManifestError } from '../errors.js';
import { guessManifestMediaType } from './guess.js';
import { describeJson, isJsonObject, own, parseJsonObject } from './json-decode.js';
import {
  isManifestMediaType,
  isSchema1MediaType,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
} from './media-types.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** libtrust's joseBase64UrlDecode: spaces and newlines ignored, padding optional. */
function joseBase64UrlDecode(input: string, what: string): Buffer {
  const compact = input.replace(/[\r\n ]/g, '');
  if (compact.length % 4 === 1 || !BASE64URL.test(compact)) {
    throw new InvalidManifestError(`schema 1 signature: ${what} is not valid base64url`);
  }
  return Buffer.from(compact, 'base64url');
}

/**
 * The payload a signed schema 1 manifest's signatures cover: the bytes up to `formatLength`
 * followed by `formatTail`, both from the protected header of the signatures (which must agree).
 */
export function schema1SignedPayload(bytes: Uint8Array): Uint8Array {
  const json = parseJsonObject(bytes);
  const signatures = own(json, 'signatures');
  if (signatures === undefined) throw new InvalidManifestError('schema 1 manifest has no "signatures" key');
  if (!Array.isArray(signatures)) {
    throw new InvalidManifestError(`schema 1 signatures must be an array, found ${describeJson(signatures)}`);
  }
  let formatLength: number | undefined;
  let formatTail: Buffer | undefined;
  signatures.forEach((block: unknown, i) => {
    const where = `signatures[${i}]`;
    if (!isJsonObject(block)) throw new InvalidManifestError(`${where} must be an object`);
    const protectedField = own(block, 'protected');
    if (protectedField !== undefined && protectedField !== null && typeof protectedField !== 'string') {
      throw new InvalidManifestError(`${where}.protected must be a string`);
    }
    const headerBytes = joseBase64UrlDecode(
      typeof protectedField === 'string' ? protectedField : '',
      'protected',
    );
    let header: unknown;
    try {
      header = JSON.parse(headerBytes.toString('utf8'));
    } catch (error) {
      throw new InvalidManifestError(`${where}: the protected header is not valid JSON`, { cause: error });
    }
    if (!isJsonObject(header))
      throw new InvalidManifestError(`${where}: the protected header is not an object`);
    const length = own(header, 'formatLength');
    if (typeof length !== 'number') throw new InvalidManifestError(`${where}: missing formatLength`);
    const tailText = own(header, 'formatTail');
    if (typeof tailText !== 'string') throw new InvalidManifestError(`${where}: missing formatTail`);
    const tail = joseBase64UrlDecode(tailText, 'formatTail');
    const truncated = Math.trunc(length); // Go converts the float64 to int
    if (formatLength === undefined || formatLength === 0) formatLength = truncated;
    else if (formatLength !== truncated)
      throw new InvalidManifestError('schema 1 signatures: conflicting formatLength');
    if (formatTail === undefined || formatTail.length === 0) formatTail = tail;
    else if (!formatTail.equals(tail))
      throw new InvalidManifestError('schema 1 signatures: conflicting formatTail');
  });
  // No signature blocks at all: libtrust's payload is empty; so is ours.
  const length = formatLength ?? 0;
  const tail = formatTail ?? Buffer.alloc(0);
  if (length < 0 || length > bytes.length) {
    throw new InvalidManifestError(`schema 1 signatures: invalid formatLength ${length}`);
  }
  const payload = new Uint8Array(length + tail.length);
  payload.set(bytes.subarray(0, length), 0);
  payload.set(tail, length);
  return payload;
}

/**
 * The digest of a manifest (containers/image's manifest.Digest): the hash of its bytes, except for
 * signed schema 1, whose signatures are stripped first. The type is guessed from the bytes as
 * containers/image does; a `mediaType` of another known manifest type skips the guess.
 */
export function manifestDigest(bytes: Uint8Array, mediaType?: string, algorithm?: DigestAlgorithm): Digest {
  const skipGuess =
    mediaType !== undefined && isManifestMediaType(mediaType) && !isSchema1MediaType(mediaType);
  if (!skipGuess && guessManifestMediaType(bytes) === MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST) {
    return digestOf(schema1SignedPayload(bytes), algorithm);
  }
  return digestOf(bytes, algorithm);
}

/**
 * Whether the manifest has the expected digest (computed with the expected digest's algorithm).
 * Throws InvalidDigestError for a malformed expected digest, InvalidManifestError for a signed
 * schema 1 manifest whose signatures cannot be stripped.
 */
export function manifestMatchesDigest(bytes: Uint8Array, expected: string, mediaType?: string): boolean {
  parseDigest(expected);
  const digest = expected as Digest;
  return manifestDigest(bytes, mediaType, digestAlgorithm(digest)) === digest;
}
