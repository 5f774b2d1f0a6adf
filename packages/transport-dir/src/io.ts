// File-system helpers shared by the source and the destination: error mapping and atomic writes.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, IoError, isSkopeoError } from '@skopeo-ts/core';
import { tempName } from './layout.js';

/** The errno code of a Node system error (ENOENT, ENOTDIR, ...), if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** ENOENT, or ENOTDIR (a component of the path is a file): either way the thing is not there. */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || errorCode(error) === 'ABORT_ERR');
}

/**
 * The error to throw for a failure while doing `operation` on `path`: typed errors pass through
 * (a digest mismatch from upstream must stay one), aborts become ABORTED, Node system errors IO.
 */
export function asSkopeoError(operation: string, path: string, error: unknown): unknown {
  if (isSkopeoError(error)) return error;
  if (isAbort(error)) {
    const reason = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new AbortedError(`operation aborted${reason}`, { cause: error });
  }
  if (errorCode(error) !== undefined) return new IoError(operation, path, error);
  return error;
}

/** A fresh temporary file name inside `dir`; `purpose` is lower-case letters only. */
export function tempPath(dir: string, purpose: string): string {
  return join(dir, tempName(purpose, randomBytes(8).toString('hex')));
}

/**
 * Writes a small file by writing a temporary file next to it and renaming it into place, so a
 * reader sees either the old file or the new one, never half of one.
 */
export async function writeFileAtomic(dir: string, name: string, data: Uint8Array | string): Promise<void> {
  const target = join(dir, name);
  const temp = tempPath(dir, 'file');
  try {
    await writeFile(temp, data, { mode: 0o644, flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw asSkopeoError('writing', target, error);
  }
}
