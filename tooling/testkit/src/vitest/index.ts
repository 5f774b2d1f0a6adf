// Helpers for vitest test files, apart from the main entry so that non-test users of testkit
// (the bench) never load vitest: `import { useTempDirs } from '@skopeo-ts/testkit/vitest'`.
import { type ErrorCode, isSkopeoError } from '@skopeo-ts/core';
import { afterEach, expect } from 'vitest';
import { makeTempDir, type TempDir } from '../tmp.js';

/** A factory of temp dirs (named after `prefix`), each removed after the current test. */
export function useTempDirs(prefix: string): () => Promise<string> {
  const dirs: TempDir[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => dir.cleanup()));
  });
  return async () => {
    const dir = await makeTempDir(prefix);
    dirs.push(dir);
    return dir.path;
  };
}

/** Awaits a rejection with a skopeo-ts error of `code`; returns it for more checks. */
export async function expectSkopeoError(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (!isSkopeoError(error, code)) {
      throw new Error(`expected a ${code} error, got ${(error as Error)?.stack ?? String(error)}`);
    }
    return error;
  }
  expect.unreachable(`expected a ${code} error, but it succeeded`);
  throw new Error('unreachable');
}
