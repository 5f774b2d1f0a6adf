// Blob uploads (distribution API): POST opens an upload session, PATCH sends the bytes (one
// streaming request, or chunks when the registry asks for a minimum chunk size), and
// `PUT ?digest=` closes it. Every Location the registry hands back must stay on the registry's
// own origin: a Location elsewhere could make us send credentials and data to another host.
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { type Digest, DigestingStream, SkopeoError } from '@skopeo-ts/core';
import type { AuthScope } from './client/auth.js';
import type { RegistryClient } from './client/client.js';
import type { HttpResponse } from './client/http.js';
import { discard, headerValue } from './client/limits.js';
import { blobPath, uploadsPath } from './paths.js';

/** The chunk size a registry may ask for is buffered in memory: refuse absurd requests. */
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;

export interface UploadSession {
  location: URL;
  /** OCI-Chunk-Min-Length, when the registry asked for chunks of at least this size. */
  chunkMinLength: number | undefined;
}

/** The upload URL in a response's Location, refused unless it is on the registry's origin. */
export function uploadLocation(response: HttpResponse, base: URL, what: string): URL {
  const text = headerValue(response.headers, 'location');
  if (text === undefined || text === '') {
    throw new SkopeoError('IO', `${what}: the registry answered HTTP ${response.status} without a Location`);
  }
  let url: URL;
  try {
    url = new URL(text, response.url);
  } catch {
    throw new SkopeoError('IO', `${what}: the registry's upload Location "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SkopeoError('IO', `${what}: refusing the upload Location ${url.protocol}… (not http or https)`);
  }
  if (url.origin !== base.origin) {
    throw new SkopeoError(
      'IO',
      `${what}: refusing the upload Location on ${url.origin}: it is not the registry's origin ${base.origin}`,
      { hint: 'a registry (or a proxy in front of it) sent uploads elsewhere; check its configuration' },
    );
  }
  return url;
}

function chunkMinLength(response: HttpResponse): number | undefined {
  const text = headerValue(response.headers, 'oci-chunk-min-length');
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text.trim());
  return value > 0 ? value : undefined;
}

export interface UploaderOptions {
  client: RegistryClient;
  repository: string;
  scopes: readonly AuthScope[];
  /** "host/repo", for messages. */
  name: string;
  debug?: ((message: string) => void) | undefined;
}

/** A blob on its way: the stream to send, and what was sent once it has ended. */
export interface BlobBody {
  stream: Transform;
  digest(): Digest;
  size(): number;
}

export interface UploadResult {
  digest: Digest;
  size: number;
}

/** Counts bytes, passing them on unchanged. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

export class Uploader {
  constructor(private readonly options: UploaderOptions) {}

  /** POST …/blobs/uploads/ (optionally with mount parameters); returns the raw response. */
  async open(signal: AbortSignal | undefined, what: string, query?: URLSearchParams): Promise<HttpResponse> {
    const { client, repository, scopes } = this.options;
    const path = `${uploadsPath(repository)}${query ? `?${query.toString()}` : ''}`;
    return client.request({
      method: 'POST',
      path,
      headers: { 'content-length': '0' },
      body: Buffer.alloc(0),
      scopes,
      what,
      expect: [201, 202],
      signal,
    });
  }

  async start(signal: AbortSignal | undefined, what: string): Promise<UploadSession> {
    const response = await this.open(signal, what);
    discard(response.body);
    if (response.status !== 202) {
      throw new SkopeoError(
        'IO',
        `${what}: the registry answered HTTP ${response.status} to opening an upload`,
      );
    }
    const base = await this.options.client.baseUrl(signal);
    return { location: uploadLocation(response, base, what), chunkMinLength: chunkMinLength(response) };
  }

  /** Cancels an upload session; failures are only logged (the registry expires it anyway). */
  async cancel(location: URL): Promise<void> {
    try {
      const response = await this.options.client.request({
        method: 'DELETE',
        path: location,
        scopes: this.options.scopes,
        what: `cancelling an upload to ${this.options.name}`,
        expect: [200, 202, 204, 404],
        signal: AbortSignal.timeout(10_000),
      });
      discard(response.body);
    } catch (error) {
      this.options.debug?.(`cancelling upload ${location.pathname}: ${(error as Error).message}`);
    }
  }

  /**
   * Starts reading `stream` into a body that counts (and, when `digest` is undefined, hashes) what
   * passes. Call it before anything slow: a stream that fails early must be seen failing.
   */
  prepare(stream: Readable, digest: Digest | undefined, what: string): BlobBody {
    const measure =
      digest === undefined ? new DigestingStream({ digest: undefined, size: -1, what }) : new ByteCounter();
    feed(stream, measure);
    return {
      stream: measure,
      digest: () => digest ?? (measure as DigestingStream).digest,
      size: () => (measure instanceof ByteCounter ? measure.bytes : (measure as DigestingStream).bytes),
    };
  }

  /** Sends `body` into the session and commits it; the session is cancelled when anything fails. */
  async upload(
    body: BlobBody,
    session: UploadSession,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<UploadResult> {
    let location = session.location;
    try {
      const chunk = session.chunkMinLength;
      if (chunk !== undefined) {
        if (chunk > MAX_CHUNK_BYTES) {
          throw new SkopeoError(
            'UNSUPPORTED',
            `${what}: the registry asks for upload chunks of at least ${chunk} bytes; at most ${MAX_CHUNK_BYTES} are supported`,
          );
        }
        location = await this.sendChunks(body.stream, location, chunk, signal, what);
      } else {
        location = await this.sendStream(body.stream, location, signal, what);
      }
      const digest = body.digest();
      const size = body.size();
      const put = new URL(location);
      put.searchParams.append('digest', digest);
      try {
        const response = await this.options.client.request({
          method: 'PUT',
          path: put,
          headers: { 'content-length': '0' },
          body: Buffer.alloc(0),
          scopes: this.options.scopes,
          what,
          expect: [201, 204],
          signal,
        });
        discard(response.body);
      } catch (error) {
        // The registry may have stored the blob and the answer got lost (a reset, a proxy's 5xx):
        // then a retried PUT finds no upload session. Trust the blob if it is there as sent.
        if (signal?.aborted || !(await this.storedAsSent(digest, size, signal, what))) throw error;
      }
      return { digest, size };
    } catch (error) {
      body.stream.destroy();
      await this.cancel(location);
      throw error;
    }
  }

  /** Whether the repository serves `digest` with exactly `size` bytes (HEAD); false on any doubt. */
  private async storedAsSent(
    digest: Digest,
    size: number,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<boolean> {
    try {
      const response = await this.options.client.request({
        method: 'HEAD',
        path: blobPath(this.options.repository, digest),
        headers: {},
        scopes: this.options.scopes,
        what: `${what}: checking whether the blob arrived`,
        expect: [200, 404],
        signal,
      });
      discard(response.body);
      return response.status === 200 && headerValue(response.headers, 'content-length') === String(size);
    } catch {
      return false;
    }
  }

  private async sendStream(
    body: Readable,
    location: URL,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<URL> {
    const response = await this.options.client.request({
      method: 'PATCH',
      path: location,
      headers: { 'content-type': 'application/octet-stream' },
      body,
      scopes: this.options.scopes,
      what,
      expect: [202, 204],
      signal,
    });
    discard(response.body);
    const base = await this.options.client.baseUrl(signal);
    return headerValue(response.headers, 'location') === undefined
      ? location
      : uploadLocation(response, base, what);
  }

  private async sendChunks(
    source: Readable,
    location: URL,
    minLength: number,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<URL> {
    const base = await this.options.client.baseUrl(signal);
    let current = location;
    let offset = 0;
    let pending: Buffer[] = [];
    let pendingLength = 0;
    const flush = async () => {
      const chunk = Buffer.concat(pending, pendingLength);
      pending = [];
      pendingLength = 0;
      const response = await this.options.client.request({
        method: 'PATCH',
        path: current,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
          'content-length': String(chunk.length),
        },
        body: chunk,
        scopes: this.options.scopes,
        what,
        expect: [202, 204],
        signal,
      });
      discard(response.body);
      offset += chunk.length;
      if (headerValue(response.headers, 'location') !== undefined)
        current = uploadLocation(response, base, what);
      this.options.debug?.(`${what}: sent a chunk, ${offset} bytes so far`);
    };
    for await (const chunk of source as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingLength += chunk.length;
      if (pendingLength >= minLength) await flush();
    }
    if (pendingLength > 0) await flush();
    return current;
  }
}

/**
 * Pipes the caller's stream into ours without tying their lifetimes together: an error or an early
 * close of the source fails our side; a failure on our side leaves the source to its owner (the
 * copy engine destroys it with the reason, which is then the error it reports).
 */
function feed(source: Readable, target: Transform): void {
  if (source.destroyed || source.errored) {
    target.destroy(source.errored ?? new SkopeoError('IO', 'the blob stream was closed before its end'));
    return;
  }
  let ended = false;
  source.once('end', () => {
    ended = true;
  });
  source.once('error', (error) => target.destroy(error));
  source.once('close', () => {
    if (!ended && !target.destroyed) {
      target.destroy(new SkopeoError('IO', 'the blob stream was closed before its end'));
    }
  });
  source.pipe(target);
}
