// Which failures another attempt may fix (network errors, 5xx, 429), shared by the copy engine's
// per-blob retries and a caller's whole-operation retries (skopeo's --retry-times).
import { isSkopeoError } from './errors.js';

export interface RetryPolicy {
  /** Further attempts after the first (0: none). */
  times: number;
  /** Fixed delay between attempts; undefined: 2^attempt seconds, as containers/common does. */
  delayMs?: number | undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EAI_AGAIN',
  'EINTR',
  'EAGAIN',
  'EBUSY',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Codes of core errors that a second attempt cannot change. */
const PERMANENT_CODES = new Set([
  'INVALID_REFERENCE',
  'INVALID_DIGEST',
  'INVALID_MANIFEST',
  'INVALID_ARGUMENT',
  'MANIFEST_TOO_LARGE',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'DENIED',
  'DIGEST_MISMATCH',
  'SIZE_MISMATCH',
  'CORRUPT',
  'UNSUPPORTED',
  'CONFLICT',
  'ABORTED',
  'TRANSPORT_NOT_FOUND',
  'INCOMPATIBLE_PLUGIN',
  'INVALID_PLUGIN',
]);

/** Set on an error whose retries were used up where it happened, so no outer loop retries it again. */
const RETRIES_USED = Symbol.for('skopeo-ts.retries-used');

export function markRetriesUsed(error: unknown): void {
  if (typeof error === 'object' && error !== null) {
    Object.defineProperty(error, RETRIES_USED, { value: true, enumerable: false, configurable: true });
  }
}

function statusOf(error: object): number | undefined {
  const candidate = error as { statusCode?: unknown; status?: unknown };
  const status = candidate.statusCode ?? candidate.status;
  return typeof status === 'number' ? status : undefined;
}

/** Whether the error (or one of its causes) is a network failure, a 5xx or a 429 not yet retried. */
export function isRetryableError(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && RETRIES_USED in error) return false;
  if (isSkopeoError(error) && PERMANENT_CODES.has(error.code)) return false;
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    const status = statusOf(current);
    if (status !== undefined && (status >= 500 || status === 429)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The wait before attempt `attempt + 1` (attempt counts from 0). */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return policy.delayMs ?? 2 ** attempt * 1000;
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/**
 * Runs `operation` again after a retryable failure, up to `policy.times` more times; `onRetry`
 * hears of each retry before its wait. An error that survives every attempt is marked so that an
 * outer retry loop does not start over.
 */
export async function withRetries<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (error: unknown, attempt: number, delayMs: number) => void,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.times || signal?.aborted || !isRetryableError(error)) {
        if (policy.times > 0 && attempt > 0) markRetriesUsed(error);
        throw error;
      }
      const delay = retryDelayMs(policy, attempt);
      onRetry(error, attempt, delay);
      await sleepUnlessAborted(delay, signal);
    }
  }
}
