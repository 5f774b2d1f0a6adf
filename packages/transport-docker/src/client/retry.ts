// When to try a request again and how long to wait: 429 answers (Retry-After, else 2 s doubling to
// 60 s, 5 retries) for requests whose body can be sent again, and the caller's retry settings
// (ctx.retry: times, delayMs) for network errors and 5xx answers.
import type { Context } from '@skopeo-ts/core';
import { AbortedError } from '@skopeo-ts/core';
import { headerValue } from './limits.js';

export const RATE_LIMIT_RETRIES = 5;
export const RATE_LIMIT_INITIAL_DELAY_MS = 2_000;
export const RATE_LIMIT_MAX_DELAY_MS = 60_000;

/** The wait a 429 answer asks for: Retry-After in seconds or as an HTTP date, else `fallbackMs`. */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  fallbackMs: number,
  now: number = Date.now(),
): number {
  const value = headerValue(headers, 'retry-after')?.trim();
  let delay = fallbackMs;
  if (value !== undefined && value !== '') {
    if (/^\d+$/.test(value)) delay = Number(value) * 1000;
    else {
      const date = Date.parse(value);
      if (!Number.isNaN(date) && date > now) delay = date - now;
    }
  }
  return Math.min(delay, RATE_LIMIT_MAX_DELAY_MS);
}

export interface RetryPolicy {
  /** Retries after network errors and 5xx answers. */
  times: number;
  /** Wait before retry number `attempt` (1-based). */
  delayMs(attempt: number): number;
}

/** ctx.retry as a policy: a fixed delay when given, else 2^attempt seconds (as skopeo's --retry-times). */
export function retryPolicy(ctx: Context): RetryPolicy {
  const times = Math.max(0, Math.floor(ctx.retry?.times ?? 0));
  const fixed = ctx.retry?.delayMs;
  return {
    times,
    delayMs: (attempt) => (fixed !== undefined ? fixed : 2 ** attempt * 1000),
  };
}

/** Waits `ms`, or rejects with ABORTED when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
