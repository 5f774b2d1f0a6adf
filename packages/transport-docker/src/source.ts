// Reading an image from a registry: manifests (all six types accepted, digests computed and checked
// here), blobs streamed with resume, foreign layers from their URLs without credentials. Mirrors
// are tried in order (the endpoint resolver lists them) until one has the image.
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobStream,
  type Context,
  type Digest,
  DigestMismatchError,
  digestAlgorithm,
  effectiveManifestMediaType,
  type GetBlobOptions,
  type ImageSource,
  isSkopeoError,
  MANIFEST_MEDIA_TYPES,
  type ManifestBlob,
  manifestDigest,
  manifestMatchesDigest,
  noSignatures,
  type ReadOptions,
  type Signature,
  SkopeoError,
} from '@skopeo-ts/core';
import { resumableBody } from './blob-reader.js';
import { pullScope } from './client/auth.js';
import { asAborted, type RegistryClient } from './client/client.js';
import { isAbortError, isNetworkError, networkError } from './client/errors.js';
import type { HttpResponse } from './client/http.js';
import { contentLength, headerValue, MAX_MANIFEST_BYTES, readLimited } from './client/limits.js';
import type { RegistryEndpoint } from './client/settings.js';
import { blobPath, manifestPath } from './paths.js';
import type { DockerImageReference } from './reference.js';

/** Blob-info cache entries of this transport: scope is the registry, location the repository. */
export const BIC_TRANSPORT = 'docker';

/** Reconnects in a row without progress before a broken download fails. */
const MIN_RECONNECTS = 3;
const RECONNECT_DELAY_MS = 200;

export class DockerImageSource implements ImageSource {
  readonly threadSafe = true;
  private topManifest: Promise<ManifestBlob> | undefined;

  constructor(
    readonly reference: DockerImageReference,
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly ctx: Context,
  ) {}

  /** The registry and repository this source reads from (after mirrors and remapping). */
  get endpoint(): RegistryEndpoint {
    return { ...this.client.endpoint, repository: this.repository };
  }

  private get name(): string {
    return `${this.client.registry}/${this.repository}`;
  }

  private signal(options?: ReadOptions): AbortSignal | undefined {
    return options?.signal ?? this.ctx.signal;
  }

  async getManifest(instanceDigest?: Digest, options?: ReadOptions): Promise<ManifestBlob> {
    if (instanceDigest !== undefined) return this.fetchManifest(instanceDigest, instanceDigest, options);
    const ref = this.reference.dockerReference;
    const target = ref.digest ?? ref.tag ?? 'latest';
    if (this.topManifest === undefined) {
      const pending = this.fetchManifest(target, ref.digest, options);
      this.topManifest = pending;
      pending.catch(() => {
        if (this.topManifest === pending) this.topManifest = undefined;
      });
    }
    return this.topManifest;
  }

  private async fetchManifest(
    target: string,
    expected: Digest | undefined,
    options: ReadOptions | undefined,
  ): Promise<ManifestBlob> {
    const signal = this.signal(options);
    const what = `reading manifest ${target} in ${this.name}`;
    // A connection broken while the body arrives is retried like one broken before (ctx.retry).
    for (let attempt = 0; ; attempt++) {
      const response = await this.client.request({
        method: 'GET',
        path: manifestPath(this.repository, target),
        headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
        scopes: [pullScope(this.repository)],
        what,
        expect: [200],
        followRedirects: true,
        signal,
      });
      let bytes: Buffer;
      try {
        bytes = await readLimited(
          response.body,
          MAX_MANIFEST_BYTES,
          `the manifest ${target} in ${this.name}`,
          contentLength(response.headers),
        );
      } catch (error) {
        if (isAbortError(error) || signal?.aborted) throw asAborted(error);
        if (isSkopeoError(error)) throw error;
        if (isNetworkError(error) && attempt < (this.ctx.retry?.times ?? 0)) continue;
        throw networkError(what, response.url.host, error);
      }
      const mediaType = effectiveManifestMediaType(bytes, headerValue(response.headers, 'content-type'));
      if (expected !== undefined && !manifestMatchesDigest(bytes, expected, mediaType)) {
        throw new DigestMismatchError(
          `manifest ${expected} from ${this.name}`,
          expected,
          manifestDigest(bytes, mediaType, digestAlgorithm(expected)),
        );
      }
      return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), mediaType };
    }
  }

  async getBlob(info: BlobInfo, options?: GetBlobOptions): Promise<BlobStream> {
    const signal = this.signal(options);
    const foreignFailures: string[] = [];
    for (const text of info.urls ?? []) {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        continue;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
      try {
        return await this.openBlob(info, url, [], `foreign layer ${info.digest} from ${url.host}`, signal);
      } catch (error) {
        if (isAbortError(error) || signal?.aborted) throw asAborted(error);
        foreignFailures.push(`${url.host}: ${(error as Error).message}`);
      }
    }
    try {
      const blob = await this.openBlob(
        info,
        blobPath(this.repository, info.digest),
        [pullScope(this.repository)],
        `blob ${info.digest} in ${this.name}`,
        signal,
      );
      options?.cache?.recordKnownLocation(info.digest, {
        transport: BIC_TRANSPORT,
        scope: this.client.registry,
        location: this.repository,
      });
      return blob;
    } catch (error) {
      if (foreignFailures.length === 0 || !isSkopeoError(error)) throw error;
      throw new SkopeoError(
        error.code,
        `${error.message} (its URLs failed too: ${foreignFailures.join('; ')})`,
        { cause: error },
      );
    }
  }

  private async openBlob(
    info: BlobInfo,
    path: string | URL,
    scopes: ReturnType<typeof pullScope>[],
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<BlobStream> {
    const open = (offset: number, reopenSignal: AbortSignal | undefined): Promise<HttpResponse> =>
      this.client.request({
        method: 'GET',
        path,
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        scopes,
        what: `reading ${what}`,
        expect: offset > 0 ? [200, 206] : [200],
        followRedirects: true,
        signal: reopenSignal,
      });
    const first = await open(0, signal);
    const length = contentLength(first.headers);
    const size = length ?? info.size;
    const stream: Readable = resumableBody({
      first,
      size,
      reopen: open,
      what,
      host: first.url.host,
      signal,
      maxReconnects: Math.max(MIN_RECONNECTS, this.ctx.retry?.times ?? 0),
      reconnectDelayMs: this.ctx.retry?.delayMs ?? RECONNECT_DELAY_MS,
      debug: this.ctx.debug,
    });
    return { stream, size };
  }

  getSignatures(_instanceDigest?: Digest, _options?: ReadOptions): Promise<Signature[]> {
    // Lookaside (registries.d) and sigstore attachments come later.
    return noSignatures();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
