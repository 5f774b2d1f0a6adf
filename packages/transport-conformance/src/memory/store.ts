// Where the memory transport keeps images: content-addressed blobs shared by all names, and one
// record per name that a commit replaces whole (so readers never see half an image).
import type { Digest, ManifestBlob, Signature } from '@skopeo-ts/core';

export interface StoredImage {
  /** The top-level manifest: one image, or a list. */
  manifest: ManifestBlob;
  /** A list's member manifests, by digest. */
  instances: ReadonlyMap<Digest, ManifestBlob>;
  /** Signatures by instance digest; '' holds the top-level manifest's. */
  signatures: ReadonlyMap<string, readonly Signature[]>;
}

export class MemoryImageStore {
  private readonly blobs = new Map<Digest, Uint8Array>();
  private readonly images = new Map<string, StoredImage>();
  private readonly writing = new Set<string>();

  image(name: string): StoredImage | undefined {
    return this.images.get(name);
  }

  /** Makes `image` the one named `name`, replacing any other, in one step. */
  setImage(name: string, image: StoredImage): void {
    this.images.set(name, image);
  }

  deleteImage(name: string): boolean {
    return this.images.delete(name);
  }

  names(): string[] {
    return [...this.images.keys()];
  }

  blob(digest: Digest): Uint8Array | undefined {
    return this.blobs.get(digest);
  }

  addBlob(digest: Digest, bytes: Uint8Array): void {
    this.blobs.set(digest, bytes);
  }

  /** Claims `name` for one writer; false when another writer holds it. */
  claim(name: string): boolean {
    if (this.writing.has(name)) return false;
    this.writing.add(name);
    return true;
  }

  release(name: string): void {
    this.writing.delete(name);
  }
}
