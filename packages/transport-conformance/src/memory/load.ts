// Puts a generated test image into a memory store directly (not through a copy), so the source
// side of every test starts from known bytes.
import type { Signature } from '@skopeo-ts/core';
import { blobsOf, type TestImage } from '../images/types.js';
import type { MemoryImageStore } from './store.js';

export interface LoadOptions {
  /** Signatures of the top-level manifest. */
  signatures?: readonly Signature[];
}

export function loadTestImage(
  store: MemoryImageStore,
  name: string,
  image: TestImage,
  options: LoadOptions = {},
): void {
  for (const blob of blobsOf(image)) store.addBlob(blob.digest, blob.bytes);
  const instances =
    image.kind === 'index'
      ? new Map(image.instances.map((instance) => [instance.manifest.digest, instance.manifest] as const))
      : new Map();
  store.setImage(name, {
    manifest: { bytes: image.manifest.bytes, mediaType: image.manifest.mediaType },
    instances,
    signatures: new Map(options.signatures ? [['', options.signatures]] : []),
  });
}
