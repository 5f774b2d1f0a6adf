// --retry-times / --retry-delay: run a whole operation again after a network-ish failure, as
// containers/common's retry.IfNecessary does (fixed delay, else 2^attempt seconds). Errors that
// another attempt cannot fix (not found, bad reference, digest mismatch, ...) fail at once.
import { isSkopeoError } from '@skopeo-ts/core';

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
  'MANIFEST_TOO_LARGE',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'DENIED',
  'DIGEST_MISMATCH',
  'SIZE_MISMATCH',
  'UNSUPPORTED',
  'CONFLICT',
  'ABORTED',
  'TRANSPORT_NOT_FOUND',
  'INCOMPATIBLE_PLUGIN',
  'INVALID_PLUGIN',
]);

function statusOf(error: object): number | undefined {
  const candidate = error as { statusCode?: unknown; status?: unknown };
  const status = candidate.statusCode ?? candidate.status;
  return typeof status === 'number' ? status : undefined;
}

/** Whether the error (or one of its causes) is a network failure, a 5xx or a 429. */
export function isRetryableError(error: unknown): boolean {
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

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
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

function formatDelay(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export async function withRetry<T>(
  operation: () => Promise<T>,
  options: RetryOptions,
  warn: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= options.times || !isRetryableError(error) || signal?.aborted) throw error;
      const delay = options.delayMs ?? 2 ** attempt * 1000;
      warn(
        `failed, retrying in ${formatDelay(delay)} ... (${attempt + 1}/${options.times}). Error: ${(error as Error).message}`,
      );
      await sleep(delay, signal);
    }
  }
}
