// Errors that name the archive and say what is wrong with it, built on core's typed errors.
import { AbortedError, IoError, isSkopeoError, SkopeoError } from '@skopeo-ts/core';

/** A Node fs error code, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** An abort, as Node reports it (AbortError, ABORT_ERR) or as core does (ABORTED). */
export function isAbortError(error: unknown): boolean {
  if (isSkopeoError(error, 'ABORTED')) return true;
  return error instanceof Error && (error.name === 'AbortError' || errnoCode(error) === 'ABORT_ERR');
}

/** The archive's bytes are damaged or hostile: refused, with what to do about it. */
export function corruptArchive(label: string, reason: string, cause?: unknown): SkopeoError {
  return new SkopeoError('CORRUPT', `${label}: ${reason}`, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'the archive is damaged, truncated or not a docker save archive: write it again',
  });
}

/** One member is refused: the archive is hostile or damaged. */
export function refuseMember(label: string, member: string, reason: string): SkopeoError {
  return new SkopeoError(
    'CORRUPT',
    `${label}: refusing archive member ${JSON.stringify(member)}: ${reason}`,
    {
      hint: 'the archive is damaged or was not written by docker save / skopeo; do not load it',
    },
  );
}

/** Runs a file-system step; a failure becomes an IoError that carries the path (an abort stays one). */
export async function io<T>(operation: string, path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isSkopeoError(error)) throw error;
    if (isAbortError(error)) throw new AbortedError(`${operation} ${path} was aborted`, { cause: error });
    throw new IoError(operation, path, error);
  }
}

/** The error to report when `signal` may have fired: an abort is an abort, never an I/O error. */
export function abortedOr(error: unknown, signal: AbortSignal | undefined, what: string): unknown {
  if (isSkopeoError(error, 'ABORTED')) return error;
  if (signal?.aborted || isAbortError(error))
    return new AbortedError(`${what} was aborted`, { cause: error });
  return error;
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
