// What every test group shares: the resolved target, the memory transport at the other end of
// each copy, and small steps (copy, read back, expect nothing there) with the target's context.
import { randomUUID } from 'node:crypto';
import {
  type CopyOptions,
  type CopyResult,
  copyImage,
  type ImageReference,
  MEDIA_TYPE_OCI_MANIFEST,
} from '@skopeo-ts/core';
import { expectedManifestType, storedUnchanged } from '../expect-image.js';
import { TEST_IMAGE_NAMES, testImage } from '../images/catalog.js';
import type { ImageFormat, TestImage, TestSingleImage } from '../images/types.js';
import { type LoadOptions, loadTestImage } from '../memory/load.js';
import { createMemoryTransport, type MemoryTransport } from '../memory/transport.js';
import { type ReadImage, readImage } from '../read-image.js';
import type { ResolvedTarget } from '../target.js';
import { expectRejection } from './errors.js';

export interface SuiteContext {
  target: ResolvedTarget;
  /** The other end of every copy. */
  memory: MemoryTransport;
  /** Puts `image` into the memory store under a fresh name and returns its reference. */
  fromMemory(image: TestImage, options?: LoadOptions): ImageReference;
  /** A fresh, empty memory reference. */
  memoryLocation(): ImageReference;
  /** copyImage with the target's context on both sides. */
  copy(source: ImageReference, destination: ImageReference, options?: CopyOptions): Promise<CopyResult>;
  /** Reads and verifies everything at `reference`, with the target's context. */
  read(reference: ImageReference): Promise<ReadImage>;
  /** Fails unless opening `reference` (or reading its manifest) fails with NOT_FOUND; `why` says why none may be there. */
  expectNoImage(reference: ImageReference, why: string): Promise<void>;
  /** A single test image the target stores byte for byte (signed images need one). */
  keptImage(): Promise<TestSingleImage>;
  /** The manifest format the target stores unchanged, for generated one-off images. */
  keptFormat(): ImageFormat;
}

async function openManifest(reference: ImageReference, ctx: ResolvedTarget['context']): Promise<void> {
  const source = await reference.newSource(ctx);
  try {
    await source.getManifest();
  } finally {
    await source.close();
  }
}

export function createSuiteContext(target: ResolvedTarget): SuiteContext {
  const memory = createMemoryTransport();
  const ctx = target.context;
  return {
    target,
    memory,
    fromMemory(image, options) {
      const name = `source/${randomUUID()}`;
      loadTestImage(memory.store, name, image, options);
      return memory.reference(name);
    },
    memoryLocation: () => memory.reference(`copy/${randomUUID()}`),
    copy: (source, destination, options = {}) =>
      copyImage(source, destination, { sourceContext: ctx, destinationContext: ctx, ...options }),
    read: (reference) => readImage(reference, ctx),
    async expectNoImage(reference, why) {
      await expectRejection(openManifest(reference, ctx), 'NOT_FOUND', `reading ${reference} (${why})`);
    },
    async keptImage() {
      for (const name of TEST_IMAGE_NAMES) {
        const image = await testImage(name);
        if (image.kind === 'image' && storedUnchanged(image, target.policy)) return image;
      }
      const fallback = await testImage('oci-single-layer');
      if (fallback.kind !== 'image') throw new Error('oci-single-layer is not a single image');
      return fallback;
    },
    keptFormat: () =>
      expectedManifestType(MEDIA_TYPE_OCI_MANIFEST, target.policy) === MEDIA_TYPE_OCI_MANIFEST
        ? 'oci'
        : 'docker',
  };
}
