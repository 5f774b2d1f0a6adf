// Typed errors shared by core, transports and the CLI.
// Errors are recognised by their `code` string, never by `instanceof`: a pnpm install can load
// two copies of core, and a class from one copy is not the class from the other.

export type ErrorCode =
  | 'INVALID_REFERENCE'
  | 'INVALID_DIGEST'
  | 'INVALID_MANIFEST'
  | 'MANIFEST_TOO_LARGE'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'UNSUPPORTED'
  | 'CONFLICT'
  | 'ABORTED'
  | 'IO'
  | 'TRANSPORT_NOT_FOUND'
  | 'INCOMPATIBLE_PLUGIN'
  | 'INVALID_PLUGIN'
  /** An option or argument value that cannot be used. */
  | 'INVALID_ARGUMENT'
  /** Stored data that is damaged or hostile (a bad archive member, an unreadable file format). */
  | 'CORRUPT'
  | 'INTERNAL';

const ERROR_BRAND = 'skopeo-ts.error';

export interface SkopeoErrorOptions {
  cause?: unknown;
  /** A hint for the user: what to do about it. */
  hint?: string;
}

export class SkopeoError extends Error {
  readonly brand = ERROR_BRAND;
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: SkopeoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkopeoError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** Recognises a SkopeoError from any copy of core. */
export function isSkopeoError(value: unknown, code?: ErrorCode): value is SkopeoError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { brand?: unknown; code?: unknown };
  if (candidate.brand !== ERROR_BRAND || typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}

export class InvalidReferenceError extends SkopeoError {
  /** The whole input the user gave. */
  readonly input: string;
  constructor(input: string, reason: string, options?: SkopeoErrorOptions) {
    super('INVALID_REFERENCE', `invalid reference "${input}": ${reason}`, options);
    this.name = 'InvalidReferenceError';
    this.input = input;
  }
}

export class InvalidDigestError extends SkopeoError {
  constructor(input: string, reason: string, options?: SkopeoErrorOptions) {
    super('INVALID_DIGEST', `invalid digest "${input}": ${reason}`, options);
    this.name = 'InvalidDigestError';
  }
}

export class InvalidManifestError extends SkopeoError {
  constructor(reason: string, options?: SkopeoErrorOptions) {
    super('INVALID_MANIFEST', `invalid manifest: ${reason}`, options);
    this.name = 'InvalidManifestError';
  }
}

export class ManifestTooLargeError extends SkopeoError {
  constructor(what: string, size: number, limit: number) {
    super('MANIFEST_TOO_LARGE', `${what} is ${size} bytes, over the limit of ${limit} bytes`);
    this.name = 'ManifestTooLargeError';
  }
}

export class ImageNotFoundError extends SkopeoError {
  constructor(what: string, options?: SkopeoErrorOptions) {
    super('NOT_FOUND', what, options);
    this.name = 'ImageNotFoundError';
  }
}

export class UnauthorizedError extends SkopeoError {
  constructor(message: string, options?: SkopeoErrorOptions) {
    super('UNAUTHORIZED', message, options);
    this.name = 'UnauthorizedError';
  }
}

export class DigestMismatchError extends SkopeoError {
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string) {
    super('DIGEST_MISMATCH', `digest mismatch for ${what}: expected ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
    this.expected = expected;
    this.actual = actual;
  }
}

export class SizeMismatchError extends SkopeoError {
  constructor(what: string, expected: number, actual: number) {
    super('SIZE_MISMATCH', `size mismatch for ${what}: expected ${expected} bytes, got ${actual}`);
    this.name = 'SizeMismatchError';
  }
}

export class UnsupportedError extends SkopeoError {
  constructor(message: string, options?: SkopeoErrorOptions) {
    super('UNSUPPORTED', message, options);
    this.name = 'UnsupportedError';
  }
}

export class AbortedError extends SkopeoError {
  constructor(message = 'operation aborted', options?: SkopeoErrorOptions) {
    super('ABORTED', message, options);
    this.name = 'AbortedError';
  }
}

/** Wraps a Node file-system error so the message always carries the path and the operation. */
export class IoError extends SkopeoError {
  readonly path: string | undefined;
  constructor(operation: string, path: string | undefined, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('IO', `${operation}${path === undefined ? '' : ` ${path}`}: ${detail}`, { cause });
    this.name = 'IoError';
    this.path = path;
  }
}

/** Exit status for the CLI, as current skopeo: 2 when the image is not found, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  return isSkopeoError(error, 'NOT_FOUND') ? 2 : 1;
}

/** Throws an AbortedError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortedError(
      signal.reason instanceof Error ? `operation aborted: ${signal.reason.message}` : 'operation aborted',
    );
  }
}
