// The ImageDestination of one image of a docker save archive. Blobs go to the shared writer;
// commit() records the image (and, through `onCommit`, may end the archive); close() without
// commit() calls `onAbandon` so a single-image archive is torn down.
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type Digest,
  type DockerReference,
  type ImageDestination,
  type ImageReference,
  type LayerCompression,
  layerMediaTypeWithCompression,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  type ParsedDockerV2S2Manifest,
  type ParsedOciManifest,
  parseManifest,
  type PutBlobInfo,
  type PutBlobOptions,
  type PutManifestOptions,
  type ReusedBlob,
  type Signature,
  SkopeoError,
  signaturesNotSupported,
  type TryReusingBlobOptions,
  UnsupportedError,
} from '@skopeo-ts/core';
import type { ArchiveWriter } from './archive-writer.js';

export interface ImageDestinationHooks {
  /** After the image is recorded: e.g. end the archive and publish the file. */
  onCommit(signal: AbortSignal | undefined): Promise<void>;
  /** close() without commit(). */
  onAbandon(): Promise<void>;
}

export class ArchiveImageDestination implements ImageDestination {
  readonly supportedManifestTypes: readonly string[] = [MEDIA_TYPE_DOCKER_V2S2_MANIFEST];
  readonly supportsSignatures = false;
  // Foreign layers are stored in the archive, as skopeo does: docker load cannot fetch URLs.
  readonly acceptsForeignLayers = false;
  readonly threadSafe = true;
  readonly supportsManifestLists = false;
  readonly putSignatures: (signatures: Signature[]) => Promise<void>;
  private manifest: ParsedDockerV2S2Manifest | ParsedOciManifest | undefined;
  private state: 'open' | 'committed' | 'closed' = 'open';

  constructor(
    readonly reference: ImageReference,
    private readonly writer: ArchiveWriter,
    readonly desiredLayerCompression: LayerCompression,
    private readonly tags: readonly DockerReference[],
    private readonly hooks: ImageDestinationHooks,
  ) {
    this.putSignatures = signaturesNotSupported(reference.transport.name);
  }

  putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    return this.writer.putBlob(stream, info, options.isConfig, options.signal);
  }

  async tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    const same = await this.writer.known(info.digest);
    if (same !== undefined) return { digest: same.digest, size: same.size };
    // A compressed source layer whose uncompressed form is already in this archive.
    if (options.isConfig || !options.canSubstitute || this.desiredLayerCompression !== 'decompress')
      return undefined;
    if (options.requiredCompression !== undefined && options.requiredCompression !== 'none') return undefined;
    const uncompressed = options.cache.uncompressedDigest(info.digest);
    if (uncompressed === undefined || uncompressed === info.digest) return undefined;
    const stored = await this.writer.known(uncompressed);
    if (stored === undefined) return undefined;
    const mediaType =
      info.mediaType === undefined ? undefined : layerMediaTypeWithCompression(info.mediaType, 'none');
    return {
      digest: stored.digest,
      size: stored.size,
      compression: 'none',
      ...(mediaType ? { mediaType } : {}),
    };
  }

  async putManifest(bytes: Uint8Array, options?: PutManifestOptions): Promise<void> {
    if (options?.instanceDigest !== undefined) {
      throw new UnsupportedError(
        `${this.writer.label}: a docker-archive holds single images, not manifest lists`,
      );
    }
    // The archive keeps the config and layers, not the manifest: any single-image manifest with
    // a config works (the copy engine sends schema 2; direct callers may send OCI).
    const parsed = parseManifest(bytes, options?.mediaType);
    if (parsed.kind !== 'docker-v2s2' && parsed.kind !== 'oci-manifest') {
      throw new UnsupportedError(
        `${this.writer.label}: docker-archive stores single images with a config (Docker schema 2), not ${parsed.mediaType}`,
      );
    }
    this.manifest = parsed;
  }

  async commit(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state !== 'open')
      throw new SkopeoError('INTERNAL', `${this.writer.label}: commit() after ${this.state}`);
    if (this.manifest === undefined) {
      throw new SkopeoError('INTERNAL', `${this.writer.label}: commit() before the manifest was written`);
    }
    const { config, layers } = this.manifest.manifest;
    this.writer.addImage({
      configDigest: config.digest as Digest,
      configBytes: this.writer.readConfig(config.digest as Digest),
      layerDigests: layers.map((layer) => layer.digest as Digest),
      tags: this.tags,
    });
    // A failing hook leaves the state open, so close() tears the archive down.
    await this.hooks.onCommit(options.signal);
    this.state = 'committed';
  }

  async close(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closed';
      await this.hooks.onAbandon();
    }
  }
}
