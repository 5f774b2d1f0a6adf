// Reading a memory: image. The copy engine verifies every digest and size while it streams, so
// the source only hands out what it has.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  type BlobInfo,
  type BlobStream,
  type Digest,
  ImageNotFoundError,
  type ImageReference,
  type ImageSource,
  IoError,
  type ManifestBlob,
  noSignatures,
} from '@skopeo-ts/core';
import { blobPath, type ImageRecord, readBlob } from './store.js';

export class MemorySource implements ImageSource {
  /** getBlob may run concurrently: each call opens its own file. */
  readonly threadSafe = true;

  constructor(
    readonly reference: ImageReference,
    private readonly root: string,
    private readonly record: ImageRecord,
  ) {}

  async getManifest(instanceDigest?: Digest): Promise<ManifestBlob> {
    if (instanceDigest === undefined) {
      const { digest, mediaType } = this.record.manifest;
      return { bytes: await readBlob(this.root, digest), mediaType };
    }
    const mediaType = this.record.instances[instanceDigest];
    if (mediaType === undefined) {
      throw new ImageNotFoundError(`${this.reference} has no manifest list instance ${instanceDigest}`);
    }
    return { bytes: await readBlob(this.root, instanceDigest), mediaType };
  }

  async getBlob(info: BlobInfo): Promise<BlobStream> {
    const path = blobPath(this.root, info.digest);
    try {
      const { size } = await stat(path);
      return { stream: createReadStream(path), size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ImageNotFoundError(`${this.reference}: blob ${info.digest} is not in ${this.root}`);
      }
      throw new IoError('reading', path, error);
    }
  }

  // This transport does not store signatures: core's stub says "none".
  getSignatures = noSignatures;

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }
}
