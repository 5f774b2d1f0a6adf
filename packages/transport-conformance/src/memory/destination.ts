// Writes an image into the memory store. Everything is staged in the destination object and
// becomes visible in one step at commit; close() without commit drops the stage. The commit
// refuses manifests that name blobs or instances never written, so a copy-engine slip shows up
// here instead of passing silently.
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type CommitOptions,
  type Digest,
  Digester,
  DigestMismatchError,
  effectiveManifestMediaType,
  type ImageDestination,
  type ImageReference,
  InvalidManifestError,
  isParsedManifestList,
  type LayerCompression,
  configInfo,
  layerInfos,
  listInstances,
  type ManifestBlob,
  parseManifestBlob,
  type PutBlobInfo,
  type PutBlobOptions,
  type PutManifestOptions,
  type ReusedBlob,
  type Signature,
  SkopeoError,
  throwIfAborted,
  UnsupportedError,
} from '@skopeo-ts/core';
import { ownManifestOf } from './own-manifest.js';
import type { MemoryImageStore } from './store.js';

export interface MemoryDestinationSettings {
  supportedManifestTypes: readonly string[] | undefined;
  desiredLayerCompression: LayerCompression;
  supportsManifestLists: boolean;
  supportsSignatures: boolean;
  /** Fail with CONFLICT rather than replace an image committed meanwhile. */
  refuseExisting: boolean;
  /** Store uncompressed layers under a manifest of the store's making (see own-manifest.ts). */
  ownManifests: boolean;
}

/** The refusal of a store that never writes over an image. */
export function existingImageConflict(reference: string): SkopeoError {
  return new SkopeoError(
    'CONFLICT',
    `${reference} already holds an image, and this store does not replace images`,
    {
      hint: 'delete it first or choose another name',
    },
  );
}

export class MemoryDestination implements ImageDestination {
  readonly acceptsForeignLayers = true;
  readonly threadSafe = true;
  readonly supportedManifestTypes: readonly string[] | undefined;
  readonly desiredLayerCompression: LayerCompression;
  readonly supportsManifestLists: boolean;
  readonly supportsSignatures: boolean;

  private readonly staged = new Map<Digest, Uint8Array>();
  private manifest: ManifestBlob | undefined;
  private readonly instances = new Map<Digest, ManifestBlob>();
  private readonly signatures = new Map<string, readonly Signature[]>();
  private closed = false;
  private readonly refuseExisting: boolean;
  private readonly ownManifests: boolean;

  constructor(
    readonly reference: ImageReference,
    private readonly store: MemoryImageStore,
    private readonly name: string,
    settings: MemoryDestinationSettings,
    /** Called once by close(), e.g. to release the name. */
    private readonly onClose: () => void,
  ) {
    this.supportedManifestTypes = settings.supportedManifestTypes;
    this.desiredLayerCompression = settings.desiredLayerCompression;
    this.supportsManifestLists = settings.supportsManifestLists;
    this.supportsSignatures = settings.supportsSignatures;
    this.refuseExisting = settings.refuseExisting;
    this.ownManifests = settings.ownManifests;
  }

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    const digester = new Digester();
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      digester.update(chunk);
      chunks.push(chunk);
    }
    throwIfAborted(options.signal);
    const digest = digester.digest();
    if (info.digest !== undefined && info.digest !== digest) {
      throw new DigestMismatchError(`blob written to ${this.reference}`, info.digest, digest);
    }
    this.staged.set(digest, Buffer.concat(chunks));
    return {
      digest,
      size: digester.size,
      ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
    };
  }

  async tryReusingBlob(info: BlobInfo): Promise<ReusedBlob | undefined> {
    const bytes = this.staged.get(info.digest) ?? this.store.blob(info.digest);
    if (bytes === undefined) return undefined;
    return { digest: info.digest, size: bytes.length };
  }

  async putManifest(bytes: Uint8Array, options: PutManifestOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const manifest = { bytes, mediaType: options.mediaType ?? effectiveManifestMediaType(bytes) };
    if (options.instanceDigest === undefined) this.manifest = manifest;
    else this.instances.set(options.instanceDigest, manifest);
  }

  async putSignatures(signatures: Signature[], options: PutManifestOptions = {}): Promise<void> {
    if (!this.supportsSignatures) {
      if (signatures.length === 0) return;
      throw new UnsupportedError(`this ${this.reference.transport.name}: store does not keep signatures`);
    }
    this.signatures.set(options.instanceDigest ?? '', [...signatures]);
  }

  async commit(options: CommitOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    if (this.closed) throw new SkopeoError('INTERNAL', `commit after close of ${this.reference}`);
    const top = this.manifest;
    if (top === undefined) {
      throw new SkopeoError('INTERNAL', `commit of ${this.reference} without a manifest`);
    }
    this.checkComplete(top);
    if (this.refuseExisting && this.store.image(this.name) !== undefined) {
      throw existingImageConflict(this.reference.toString());
    }
    if (this.ownManifests) {
      const own = ownManifestOf(
        top,
        (digest) => this.staged.get(digest) ?? this.store.blob(digest),
        this.reference.toString(),
      );
      for (const [digest, bytes] of own.blobs) this.store.addBlob(digest, bytes);
      this.store.setImage(this.name, { manifest: own.manifest, instances: new Map(), signatures: new Map() });
      return;
    }
    for (const [digest, bytes] of this.staged) this.store.addBlob(digest, bytes);
    this.store.setImage(this.name, {
      manifest: top,
      instances: new Map(this.instances),
      signatures: new Map(this.signatures),
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.staged.clear();
    this.onClose();
  }

  private hasBlob(digest: Digest): boolean {
    return this.staged.has(digest) || this.store.blob(digest) !== undefined;
  }

  /** Every blob and list member the manifests name must have been written. */
  private checkComplete(top: ManifestBlob): void {
    const parsed = parseManifestBlob(top);
    const images = isParsedManifestList(parsed)
      ? listInstances(parsed).map((instance) => {
          const member = this.instances.get(instance.digest);
          if (member === undefined) {
            throw new InvalidManifestError(`list member ${instance.digest} was never written`);
          }
          return parseManifestBlob(member);
        })
      : [parsed];
    for (const image of images) {
      if (isParsedManifestList(image)) throw new InvalidManifestError('nested lists are not stored');
      const config = configInfo(image);
      const blobs = [...(config ? [config] : []), ...layerInfos(image)];
      for (const blob of blobs) {
        if (!this.hasBlob(blob.digest)) {
          throw new InvalidManifestError(`the manifest names blob ${blob.digest}, which was never written`);
        }
      }
    }
  }
}
