// Content digests (`algorithm:hex`) as the OCI image spec and the distribution API use them.
import { createHash, type Hash } from 'node:crypto';
import { InvalidDigestError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** A validated digest string such as `sha256:<64 hex>`. */
export type Digest = `${DigestAlgorithm}:${string}`;

/** Hex length of each algorithm the registries accept. */
const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha384', 'sha512'];

export const CANONICAL_ALGORITHM: DigestAlgorithm = 'sha256';

function isAlgorithm(value: string): value is DigestAlgorithm {
  return Object.hasOwn(HEX_LENGTH, value);
}

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Parses and validates a digest; the error says which part is wrong. */
export function parseDigest(input: string): ParsedDigest {
  const colon = input.indexOf(':');
  if (colon < 0) throw new InvalidDigestError(input, 'expected "algorithm:hex", found no ":"');
  const algorithm = input.slice(0, colon);
  const hex = input.slice(colon + 1);
  if (algorithm === '') throw new InvalidDigestError(input, 'the algorithm before ":" is empty');
  if (!isAlgorithm(algorithm)) {
    if (/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(algorithm)) {
      throw new InvalidDigestError(
        input,
        `unsupported algorithm "${algorithm}" (supported: ${DIGEST_ALGORITHMS.join(', ')})`,
      );
    }
    throw new InvalidDigestError(input, `"${algorithm}" is not a valid algorithm name`);
  }
  const expected = HEX_LENGTH[algorithm];
  if (!/^[a-f0-9]*$/.test(hex)) {
    throw new InvalidDigestError(input, `the ${algorithm} value must be lowercase hexadecimal`);
  }
  if (hex.length !== expected) {
    throw new InvalidDigestError(
      input,
      `a ${algorithm} value has ${expected} hex characters, this one has ${hex.length}`,
    );
  }
  return { algorithm, hex };
}

export function isDigest(input: string): input is Digest {
  try {
    parseDigest(input);
    return true;
  } catch {
    return false;
  }
}

/** Validates and returns the input typed as a Digest. */
export function toDigest(input: string): Digest {
  parseDigest(input);
  return input as Digest;
}

export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function digestAlgorithm(digest: Digest): DigestAlgorithm {
  return digest.slice(0, digest.indexOf(':')) as DigestAlgorithm;
}

/** Digest of bytes already in memory (manifests, configs). */
export function digestOf(
  data: Uint8Array | string,
  algorithm: DigestAlgorithm = CANONICAL_ALGORITHM,
): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** An incremental digester for streamed content. */
export class Digester {
  readonly algorithm: DigestAlgorithm;
  private readonly hash: Hash;
  private byteCount = 0;

  constructor(algorithm: DigestAlgorithm = CANONICAL_ALGORITHM) {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.byteCount += chunk.length;
  }

  get size(): number {
    return this.byteCount;
  }

  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}
