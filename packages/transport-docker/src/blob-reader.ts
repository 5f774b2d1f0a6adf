// A blob download that survives a broken connection: the rest is asked for with
// `Range: bytes=N-`, and only a 206 whose Content-Range starts at N is accepted. A server that
// ignores Range (200) is read again from the start with the first N bytes skipped; anything else
// fails the stream. The consumer verifies the digest either way.
import { Readable } from 'node:stream';
import { SkopeoError } from '@skopeo-ts/core';
import { asAborted } from './client/client.js';
import { isAbortError, isNetworkError, networkError } from './client/errors.js';
import type { HttpResponse } from './client/http.js';
import { discard, headerValue } from './client/limits.js';
import { sleep } from './client/retry.js';

export interface ResumableBodyOptions {
  /** The first response (200), read from the start. */
  first: HttpResponse;
  /** Total size when known (Content-Length or the descriptor), else -1. */
  size: number;
  /** Asks for the blob again from `offset` (with a Range header when offset > 0). */
  reopen(offset: number, signal: AbortSignal | undefined): Promise<HttpResponse>;
  /** Names the blob in messages. */
  what: string;
  host: string;
  signal?: AbortSignal | undefined;
  /** Reconnects allowed in a row without progress in between. */
  maxReconnects: number;
  /** Wait before each reconnect. */
  reconnectDelayMs: number;
  debug?: ((message: string) => void) | undefined;
}

class TruncatedBodyError extends Error {
  constructor(received: number, expected: number) {
    super(`the connection ended after ${received} of ${expected} bytes`);
    this.name = 'TruncatedBodyError';
  }
}

/** `bytes FIRST-LAST/TOTAL` (TOTAL may be "*"). */
export function parseContentRange(
  value: string | undefined,
): { first: number; last: number; total: number } | undefined {
  const match = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim());
  if (match === null) return undefined;
  return {
    first: Number(match[1]),
    last: Number(match[2]),
    total: match[3] === '*' ? -1 : Number(match[3]),
  };
}

export function resumableBody(options: ResumableBodyOptions): Readable {
  const { what, host, signal } = options;
  async function* chunks(): AsyncGenerator<Buffer> {
    let body = options.first.body;
    let offset = 0;
    let reconnects = 0;
    let progressSinceReconnect = 0;
    let skip = 0;
    for (;;) {
      try {
        for await (const raw of body as AsyncIterable<Buffer>) {
          let chunk = raw;
          if (skip > 0) {
            const dropped = Math.min(skip, chunk.length);
            skip -= dropped;
            chunk = chunk.subarray(dropped);
            if (chunk.length === 0) continue;
          }
          offset += chunk.length;
          progressSinceReconnect += chunk.length;
          yield chunk;
        }
        if (skip > 0 || (options.size >= 0 && offset < options.size)) {
          throw new TruncatedBodyError(offset, options.size);
        }
        return;
      } catch (error) {
        body.on('error', () => {});
        body.destroy();
        if (isAbortError(error) || signal?.aborted) throw asAborted(error);
        const resumable = error instanceof TruncatedBodyError || isNetworkError(error);
        if (!resumable) throw error;
        if (progressSinceReconnect > 0) reconnects = 0;
        if (reconnects >= options.maxReconnects) {
          throw networkError(`reading ${what}`, host, error);
        }
        reconnects++;
        progressSinceReconnect = 0;
        options.debug?.(`reading ${what} failed at byte ${offset} (${String(error)}); resuming`);
        await sleep(options.reconnectDelayMs, signal);
        let next: HttpResponse;
        try {
          next = await options.reopen(offset, signal);
        } catch (reopenError) {
          if (isAbortError(reopenError)) throw asAborted(reopenError);
          throw new SkopeoError(
            'IO',
            `reading ${what}: the connection broke at byte ${offset} and resuming failed: ${(reopenError as Error).message}`,
            { cause: reopenError },
          );
        }
        if (next.status === 206) {
          const range = parseContentRange(headerValue(next.headers, 'content-range'));
          const endsAtTotal = range !== undefined && (range.total === -1 || range.last + 1 === range.total);
          if (range === undefined || range.first !== offset || !endsAtTotal) {
            discard(next.body);
            throw new SkopeoError(
              'IO',
              `reading ${what}: resuming at byte ${offset} got Content-Range "${headerValue(next.headers, 'content-range') ?? ''}" instead of the rest of the blob`,
            );
          }
          skip = 0;
        } else if (next.status === 200) {
          // The server ignored Range: read it all again and drop what was already passed on.
          skip = offset;
        } else {
          discard(next.body);
          throw new SkopeoError(
            'IO',
            `reading ${what}: resuming at byte ${offset} got HTTP ${next.status} instead of 206 Partial Content`,
          );
        }
        body = next.body;
      }
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
}
