// --retry-times / --retry-delay: run a whole operation again after a network-ish failure, as
// containers/common's retry.IfNecessary does (fixed delay, else 2^attempt seconds). Errors that
// another attempt cannot fix (not found, bad reference, digest mismatch, ...) fail at once.
import { isRetryableError, withRetries } from '@skopeo-ts/core';

export { isRetryableError };

export interface RetryOptions {
  times: number;
  /** Fixed delay; undefined: exponential backoff. */
  delayMs: number | undefined;
}

export function readRetryOptions(opts: Readonly<Record<string, unknown>>): RetryOptions {
  return {
    times: typeof opts.retryTimes === 'number' ? opts.retryTimes : 0,
    delayMs: typeof opts.retryDelay === 'number' && opts.retryDelay > 0 ? opts.retryDelay : undefined,
  };
}

function formatDelay(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The whole operation again after a retryable failure, with skopeo's warning before each wait. */
export function withRetry<T>(
  operation: () => Promise<T>,
  options: RetryOptions,
  warn: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<T> {
  return withRetries(
    operation,
    options,
    (error, attempt, delay) =>
      warn(
        `failed, retrying in ${formatDelay(delay)} ... (${attempt + 1}/${options.times}). Error: ${(error as Error).message}`,
      ),
    signal,
  );
}
