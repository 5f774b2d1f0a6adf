// Writing an image to a registry: blobs are reused when the repository has them (HEAD) or when
// another repository of the same registry does (cross-repository mount), else uploaded. List
// members are written by digest as they come; the manifest the reference names is written only
// by commit(), so a destination closed without commit leaves no tag behind.
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type CommitOptions,
  type Context,
  type Digest,
  guessManifestMediaType,
  type HasManifestOptions,
  type ImageDestination,
  type LayerCompression,
  MANIFEST_MEDIA_TYPES,
  ManifestTooLargeError,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  type PutBlobInfo,
  type PutBlobOptions,
  type PutManifestOptions,
  type ReusedBlob,
  type Signature,
  signaturesNotSupported,
  type TryReusingBlobOptions,
} from '@skopeo-ts/core';
import { type AuthScope, pullScope, pushScope } from './client/auth.js';
import { asAborted, type RegistryClient } from './client/client.js';
import { isAbortError } from './client/errors.js';
import { contentLength, discard, MAX_MANIFEST_BYTES } from './client/limits.js';
import { blobPath, manifestPath } from './paths.js';
import type { DockerImageReference } from './reference.js';
import { BIC_TRANSPORT } from './source.js';
import { Uploader, type UploadSession, uploadLocation } from './upload.js';

/** As containers/image's docker destination: every type, OCI first, schema 1 last. */
export const DOCKER_DESTINATION_MANIFEST_TYPES: readonly string[] = [
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
];

/** Mount attempts per blob (the blob-info cache may know many repositories). */
const MAX_MOUNT_CANDIDATES = 5;

interface PendingManifest {
  bytes: Uint8Array;
  mediaType: string;
}

export class DockerImageDestination implements ImageDestination {
  readonly supportedManifestTypes = DOCKER_DESTINATION_MANIFEST_TYPES;
  readonly desiredLayerCompression: LayerCompression = 'compress';
  readonly acceptsForeignLayers = true;
  readonly supportsSignatures = false;
  readonly threadSafe = true;
  readonly supportsManifestLists = true;
  readonly mustMatchDigest: Digest | undefined;
  readonly putSignatures: (signatures: Signature[], options?: PutManifestOptions) => Promise<void> =
    signaturesNotSupported('docker');
  private readonly scopes: AuthScope[];
  private readonly uploader: Uploader;
  private pending: PendingManifest | undefined;

  constructor(
    readonly reference: DockerImageReference,
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly ctx: Context,
  ) {
    this.mustMatchDigest = reference.dockerReference.digest;
    this.scopes = [pushScope(repository)];
    this.uploader = new Uploader({
      client,
      repository,
      scopes: this.scopes,
      name: this.name,
      debug: ctx.debug,
    });
  }

  private get name(): string {
    return `${this.client.registry}/${this.repository}`;
  }

  private signal(options?: { signal?: AbortSignal | undefined }): AbortSignal | undefined {
    return options?.signal ?? this.ctx.signal;
  }

  private recordLocation(options: { cache?: PutBlobOptions['cache'] } | undefined, digest: Digest): void {
    options?.cache?.recordKnownLocation(digest, {
      transport: BIC_TRANSPORT,
      scope: this.client.registry,
      location: this.repository,
    });
  }

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    const signal = this.signal(options);
    // The stream's owner handles its errors; one that reaches it after we gave up (the copy engine
    // destroys it with our error, perhaps after its pipeline settled) must not crash the process.
    stream.on('error', () => {});
    const what = `uploading ${options.isConfig ? 'config' : 'blob'} ${info.digest ?? '(digest computed on the way)'} to ${this.name}`;
    const body = this.uploader.prepare(stream, info.digest, what);
    body.stream.on('error', () => {});
    try {
      let session: UploadSession;
      try {
        session = await this.uploader.start(signal, what);
      } catch (error) {
        body.stream.destroy();
        throw error;
      }
      const written = await this.uploader.upload(body, session, signal, what);
      this.recordLocation(options, written.digest);
      return {
        digest: written.digest,
        size: written.size,
        ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
        ...(info.annotations === undefined ? {} : { annotations: info.annotations }),
      };
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw asAborted(error);
      throw error;
    }
  }

  async tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    const signal = this.signal(options);
    const existing = await this.blobSize(info.digest, signal);
    if (existing !== undefined) {
      this.recordLocation(options, info.digest);
      return this.reused(info, existing);
    }
    for (const from of this.mountCandidates(info.digest, options)) {
      if (await this.mount(info.digest, from, signal)) {
        this.recordLocation(options, info.digest);
        const size = info.size >= 0 ? info.size : await this.blobSize(info.digest, signal);
        return this.reused(info, size ?? info.size);
      }
    }
    return undefined;
  }

  private reused(info: BlobInfo, size: number): ReusedBlob {
    return {
      digest: info.digest,
      size,
      ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
    };
  }

  /** Size of the blob in this repository (HEAD), or undefined when it is not there. */
  private async blobSize(digest: Digest, signal: AbortSignal | undefined): Promise<number | undefined> {
    const response = await this.client.request({
      method: 'HEAD',
      path: blobPath(this.repository, digest),
      scopes: this.scopes,
      what: `checking whether ${this.name} has blob ${digest}`,
      expect: [200, 404],
      followRedirects: true,
      signal,
    });
    discard(response.body);
    if (response.status !== 200) return undefined;
    return contentLength(response.headers) ?? -1;
  }

  /** Other repositories of this registry known to hold the blob, most recent first. */
  private mountCandidates(digest: Digest, options: TryReusingBlobOptions): string[] {
    const candidates: string[] = [];
    const add = (repository: string) => {
      if (repository !== '' && repository !== this.repository && !candidates.includes(repository)) {
        candidates.push(repository);
      }
    };
    for (const location of options.cache.knownLocations(digest, BIC_TRANSPORT, this.client.registry)) {
      add(location.location);
    }
    // The source image itself, when it is in this registry (the cache may not know it yet).
    const source = options.sourceReference;
    if (source?.transport.name === BIC_TRANSPORT && source.dockerReference?.domain === this.client.registry) {
      add(source.dockerReference.path);
    }
    return candidates.slice(0, MAX_MOUNT_CANDIDATES);
  }

  /** POST …/uploads/?mount=D&from=REPO: true when mounted (201); a started upload (202) is cancelled. */
  private async mount(digest: Digest, from: string, signal: AbortSignal | undefined): Promise<boolean> {
    const what = `mounting blob ${digest} from ${from} into ${this.name}`;
    const scopes = [...this.scopes, pullScope(from)];
    try {
      const response = await this.client.request({
        method: 'POST',
        path: `/v2/${this.repository}/blobs/uploads/?${new URLSearchParams({ mount: digest, from }).toString()}`,
        headers: { 'content-length': '0' },
        body: Buffer.alloc(0),
        scopes,
        what,
        expect: [201, 202],
        signal,
      });
      discard(response.body);
      if (response.status === 201) {
        this.ctx.debug?.(`${what}: mounted`);
        return true;
      }
      // The registry opened an ordinary upload instead: we have no bytes here, so cancel it.
      const base = await this.client.baseUrl(signal);
      await this.uploader.cancel(uploadLocation(response, base, what));
      return false;
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw asAborted(error);
      this.ctx.debug?.(`${what}: ${(error as Error).message}`);
      return false;
    }
  }

  async putManifest(bytes: Uint8Array, options?: PutManifestOptions): Promise<void> {
    if (bytes.length > MAX_MANIFEST_BYTES)
      throw new ManifestTooLargeError('manifest', bytes.length, MAX_MANIFEST_BYTES);
    const mediaType = options?.mediaType ?? (guessManifestMediaType(bytes) || MEDIA_TYPE_OCI_MANIFEST);
    if (options?.instanceDigest !== undefined) {
      await this.uploadManifest(options.instanceDigest, bytes, mediaType, this.signal(options));
      return;
    }
    this.pending = { bytes, mediaType };
  }

  private async uploadManifest(
    target: string,
    bytes: Uint8Array,
    mediaType: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const response = await this.client.request({
      method: 'PUT',
      path: manifestPath(this.repository, target),
      headers: { 'content-type': mediaType },
      body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
      scopes: this.scopes,
      what: `writing manifest ${target} to ${this.name}`,
      expect: [200, 201, 202, 204],
      signal,
    });
    discard(response.body);
  }

  /**
   * Whether the repository already has a manifest with this digest (HEAD). The copy engine asks
   * before copying an image it would write unchanged: if it is there, no blob is touched and only
   * the manifest is written (to set the tag).
   */
  async hasManifest(digest: Digest, options?: HasManifestOptions): Promise<boolean> {
    const response = await this.client.request({
      method: 'HEAD',
      path: manifestPath(this.repository, digest),
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
      scopes: this.scopes,
      what: `checking whether ${this.name} has manifest ${digest}`,
      expect: [200, 404],
      signal: this.signal(options),
    });
    discard(response.body);
    return response.status === 200;
  }

  async commit(options?: CommitOptions): Promise<void> {
    const pending = this.pending;
    if (pending === undefined) return;
    const ref = this.reference.dockerReference;
    const target = ref.digest ?? ref.tag ?? 'latest';
    const signal = this.signal(options);
    try {
      await this.uploadManifest(target, pending.bytes, pending.mediaType, signal);
    } catch (error) {
      throw isAbortError(error) || signal?.aborted ? asAborted(error) : error;
    }
    this.pending = undefined;
  }

  async close(): Promise<void> {
    this.pending = undefined;
    await this.client.close();
  }
}
