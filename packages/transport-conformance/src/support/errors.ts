// Assertions on failures: the error must be a skopeo-ts error with the right code (recognised by
// its brand, never by instanceof), with a message that says what failed.
import { expect } from 'vitest';
import { type ErrorCode, isSkopeoError, type SkopeoError } from '@skopeo-ts/core';

function describeError(error: unknown): string {
  if (isSkopeoError(error)) return `SkopeoError ${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The rejection of `work`, failing the test when it resolves. */
export async function rejectionOf(work: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  expect.fail(`${what} succeeded, but it must fail`);
}

export function expectSkopeoError(
  error: unknown,
  code: ErrorCode,
  what: string,
): asserts error is SkopeoError {
  expect(
    isSkopeoError(error, code),
    `${what} must fail with a skopeo-ts error of code ${code}, it failed with: ${describeError(error)}`,
  ).toBe(true);
  expect((error as SkopeoError).message.length, `${what}: the error message is empty`).toBeGreaterThan(0);
}

export async function expectRejection(
  work: Promise<unknown>,
  code: ErrorCode,
  what: string,
): Promise<SkopeoError> {
  const error = await rejectionOf(work, what);
  expectSkopeoError(error, code, what);
  return error;
}

/** An aborted operation fails with ABORTED, or with the AbortError of the signal it was given. */
export function expectAbortError(error: unknown, signal: AbortSignal, what: string): void {
  const aborted =
    isSkopeoError(error, 'ABORTED') ||
    error === signal.reason ||
    (error instanceof Error && error.name === 'AbortError');
  expect(aborted, `${what} must fail as aborted, it failed with: ${describeError(error)}`).toBe(true);
}

export { describeError };
