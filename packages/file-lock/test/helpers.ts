// Shared test helpers: temp dirs, a dead pid, error checks.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ErrorCode, isSkopeoError, type SkopeoError } from '@skopeo-ts/core';
import { afterEach, expect } from 'vitest';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh temp dir, removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skopeo-ts-file-lock-test-'));
    dirs.push(dir);
    return dir;
  };
}

/** A pid that is certainly not running: a child that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 999_999;
}

/** The error `promise` rejects with, which must be a skopeo-ts error of `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<SkopeoError> {
  const error = await promise.then(
    () => expect.unreachable(`expected a ${code} error, but it succeeded`),
    (reason: unknown) => reason,
  );
  if (!isSkopeoError(error, code)) expect.unreachable(`expected a ${code} error, got ${String(error)}`);
  return error;
}
