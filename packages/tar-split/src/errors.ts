// Errors this package throws: one class, with a code a caller can branch on.

export type TarSplitErrorCode =
  /** The tar stream is malformed or truncated. */
  | 'BAD_TAR'
  /** The tar uses a feature tar-split cannot represent (sparse files). */
  | 'UNSUPPORTED'
  /** Two file entries clean to the same path (Go's ErrDuplicatePath). */
  | 'DUPLICATE_PATH'
  /** The tar-split data is malformed. */
  | 'BAD_TAR_SPLIT'
  /** A file read back for reassembly has the wrong size or checksum. */
  | 'INTEGRITY';

export class TarSplitError extends Error {
  readonly code: TarSplitErrorCode;

  constructor(code: TarSplitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TarSplitError';
    this.code = code;
  }
}

/** Branding-free check (two copies of this package may be loaded). */
export function isTarSplitError(error: unknown, code?: TarSplitErrorCode): error is TarSplitError {
  if (!(error instanceof Error) || error.name !== 'TarSplitError') return false;
  const actual = (error as { code?: unknown }).code;
  return typeof actual === 'string' && (code === undefined || actual === code);
}
