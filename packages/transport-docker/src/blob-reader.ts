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

/**
 * The blob's bytes as one stream. Chunks of the response are passed on as they are (no copy, no
 * promise per chunk); the response is paused while the consumer is behind, so at most about one
 * highWaterMark of each stream is held.
 */
export function resumableBody(options: ResumableBodyOptions): Readable {
  return new ResumableBody(options);
}

class ResumableBody extends Readable {
  private body: Readable | undefined;
  private offset = 0;
  private reconnects = 0;
  private progressSinceReconnect = 0;
  private skip = 0;

  constructor(private readonly options: ResumableBodyOptions) {
    super({ highWaterMark: 64 * 1024 });
    this.attach(options.first.body);
  }

  private readonly onData = (raw: Buffer): void => {
    let chunk = raw;
    if (this.skip > 0) {
      const dropped = Math.min(this.skip, chunk.length);
      this.skip -= dropped;
      if (dropped === chunk.length) return;
      chunk = chunk.subarray(dropped);
    }
    this.offset += chunk.length;
    this.progressSinceReconnect += chunk.length;
    if (!this.push(chunk)) this.body?.pause();
  };

  private readonly onEnd = (): void => {
    const { size } = this.options;
    if (this.skip > 0 || (size >= 0 && this.offset < size)) {
      this.fail(new TruncatedBodyError(this.offset, size));
      return;
    }
    this.detach();
    this.push(null);
  };

  private readonly onError = (error: Error): void => {
    this.fail(error);
  };

  private attach(body: Readable): void {
    this.body = body;
    body.on('data', this.onData);
    body.on('end', this.onEnd);
    body.on('error', this.onError);
  }

  /** Stops listening to the current response and drops it. */
  private detach(): void {
    const body = this.body;
    if (body === undefined) return;
    this.body = undefined;
    body.off('data', this.onData);
    body.off('end', this.onEnd);
    body.off('error', this.onError);
    body.on('error', () => {});
    body.destroy();
  }

  override _read(): void {
    this.body?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    callback(error);
  }

  private fail(error: unknown): void {
    this.detach();
    if (this.destroyed) return;
    this.resumeAfter(error).then(
      (next) => {
        if (this.destroyed) {
          discard(next.body);
          return;
        }
        this.attach(next.body);
        // The consumer may have asked for data while no response was attached.
        if (this.readableLength >= this.readableHighWaterMark) next.body.pause();
      },
      (failure: unknown) => {
        if (!this.destroyed) this.destroy(failure as Error);
      },
    );
  }

  /** The response that continues the blob after `error`, or throws the error to fail with. */
  private async resumeAfter(error: unknown): Promise<HttpResponse> {
    const options = this.options;
    const { what, host, signal } = options;
    if (isAbortError(error) || signal?.aborted) throw asAborted(error);
    const resumable = error instanceof TruncatedBodyError || isNetworkError(error);
    if (!resumable) throw error;
    if (this.progressSinceReconnect > 0) this.reconnects = 0;
    if (this.reconnects >= options.maxReconnects) {
      throw networkError(`reading ${what}`, host, error);
    }
    this.reconnects++;
    this.progressSinceReconnect = 0;
    const offset = this.offset;
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
      this.skip = 0;
    } else if (next.status === 200) {
      // The server ignored Range: read it all again and drop what was already passed on.
      this.skip = offset;
    } else {
      discard(next.body);
      throw new SkopeoError(
        'IO',
        `reading ${what}: resuming at byte ${offset} got HTTP ${next.status} instead of 206 Partial Content`,
      );
    }
    return next;
  }
}
