// Errors that name the layout, the file and what to do, built on core's typed errors.
import { AbortedError, ImageNotFoundError, IoError, isSkopeoError, SkopeoError } from '@skopeo-ts/core';

/** A Node fs error code, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

export function isNotFound(error: unknown): boolean {
  return errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR';
}

/** An abort, as Node reports it (AbortError, ABORT_ERR) or as core does (ABORTED). */
export function isAbortError(error: unknown): boolean {
  if (isSkopeoError(error, 'ABORTED')) return true;
  return error instanceof Error && (error.name === 'AbortError' || errnoCode(error) === 'ABORT_ERR');
}

/**
 * The error to report for a failure while the caller's `signal` may have fired: an abort (the
 * signal fired, or the error is an abort) is core's AbortedError, never an I/O error of the
 * file that happened to be open at the time.
 */
export function abortedOr(error: unknown, signal: AbortSignal | undefined, what: string): unknown {
  if (isSkopeoError(error, 'ABORTED')) return error;
  if (signal?.aborted || isAbortError(error))
    return new AbortedError(`${what} was aborted`, { cause: error });
  return error;
}

/** Runs a file-system step; a failure becomes an IoError that carries the path (an abort stays one). */
export async function io<T>(operation: string, path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isSkopeoError(error)) throw error; // already says what failed
    if (isAbortError(error)) throw new AbortedError(`${operation} ${path} was aborted`, { cause: error });
    throw new IoError(operation, path, error);
  }
}

export function layoutNotFound(what: string, cause?: unknown): ImageNotFoundError {
  return new ImageNotFoundError(what, cause === undefined ? {} : { cause });
}

/** The layout's own files contradict each other (index.json names a blob that is not there). */
export function corruptLayout(message: string, cause?: unknown): SkopeoError {
  return new SkopeoError('CORRUPT', message, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'the layout is damaged: copy the image into it again, or delete the broken entry',
  });
}
