// Errors that name the layout, the file and what to do, built on core's typed errors.
import { ImageNotFoundError, IoError, isSkopeoError, SkopeoError } from '@skopeo-ts/core';

/** A Node fs error code, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

export function isNotFound(error: unknown): boolean {
  return errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR';
}

/** Runs a file-system step; a failure becomes an IoError that carries the path. */
export async function io<T>(operation: string, path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isSkopeoError(error)) throw error; // already says what failed
    throw new IoError(operation, path, error);
  }
}

export function layoutNotFound(what: string, cause?: unknown): ImageNotFoundError {
  return new ImageNotFoundError(what, cause === undefined ? {} : { cause });
}

/** The layout's own files contradict each other (index.json names a blob that is not there). */
export function corruptLayout(message: string, cause?: unknown): SkopeoError {
  return new SkopeoError('IO', message, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'the layout is damaged: copy the image into it again, or delete the broken entry',
  });
}
