// Reads an image from the memory store. The record is taken when the source opens, so a commit
// that replaces the image meanwhile does not mix two images into one read.
import { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobStream,
  type Digest,
  ImageNotFoundError,
  type ImageReference,
  type ImageSource,
  type ManifestBlob,
  manifestDigest,
  type Signature,
} from '@skopeo-ts/core';
import type { MemoryImageStore, StoredImage } from './store.js';

export class MemorySource implements ImageSource {
  readonly threadSafe = true;

  constructor(
    readonly reference: ImageReference,
    private readonly store: MemoryImageStore,
    private readonly image: StoredImage,
  ) {}

  async getManifest(instanceDigest?: Digest): Promise<ManifestBlob> {
    if (instanceDigest === undefined) return this.image.manifest;
    const instance = this.image.instances.get(instanceDigest);
    if (instance !== undefined) return instance;
    const top = this.image.manifest;
    if (manifestDigest(top.bytes, top.mediaType) === instanceDigest) return top;
    throw new ImageNotFoundError(`${this.reference.toString()} has no manifest ${instanceDigest}`);
  }

  async getBlob(info: BlobInfo): Promise<BlobStream> {
    const bytes = this.store.blob(info.digest);
    if (bytes === undefined) {
      throw new ImageNotFoundError(`blob ${info.digest} is not in the memory store of ${this.reference}`);
    }
    return { stream: Readable.from([Buffer.from(bytes)], { objectMode: false }), size: bytes.length };
  }

  async getSignatures(instanceDigest?: Digest): Promise<Signature[]> {
    return [...(this.image.signatures.get(instanceDigest ?? '') ?? [])];
  }

  async close(): Promise<void> {}
}
