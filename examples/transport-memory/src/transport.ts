// The `memory:` transport: parses `memory:NAME` references. A reference knows how to open its
// image for reading (newSource), writing (newDestination) and how to delete it.
import {
  type Context,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  InvalidReferenceError,
  type Transport,
} from '@skopeo-ts/core';
import { MemoryDestination } from './destination.js';
import { MemorySource } from './source.js';
import { deleteRecord, readRecord, storeRoot } from './store.js';

export const MEMORY_TRANSPORT_NAME = 'memory';

/** Letters, digits, `.`, `_`, `-` and `:`, starting with a letter or digit: safe as a file name. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class MemoryReference implements ImageReference {
  readonly transport: Transport = memoryTransport;
  /** memory: images have no registry name. */
  readonly dockerReference = undefined;

  constructor(readonly withinTransport: string) {}

  toString(): string {
    return `${MEMORY_TRANSPORT_NAME}:${this.withinTransport}`;
  }

  // Signature policy: memory: images are identified by their name alone.
  policyIdentity(): string {
    return this.withinTransport;
  }

  policyNamespaces(): string[] {
    return [];
  }

  async newSource(ctx: Context): Promise<ImageSource> {
    const root = storeRoot(ctx);
    // Read the record once: the source then serves this version of the image even if another
    // process replaces it meanwhile (blobs are never removed).
    return new MemorySource(this, root, await readRecord(root, this.withinTransport));
  }

  async newDestination(ctx: Context): Promise<ImageDestination> {
    return new MemoryDestination(this, storeRoot(ctx), this.withinTransport);
  }

  async delete(ctx: Context): Promise<void> {
    await deleteRecord(storeRoot(ctx), this.withinTransport);
  }
}

/** Parses the text after `memory:`. */
export function parseMemoryReference(reference: string): MemoryReference {
  if (!NAME.test(reference)) {
    throw new InvalidReferenceError(
      `${MEMORY_TRANSPORT_NAME}:${reference}`,
      'a memory: image name is 1 to 128 letters, digits, ".", "_", "-" or ":", starting with a letter or digit',
    );
  }
  return new MemoryReference(reference);
}

export const memoryTransport: Transport = {
  name: MEMORY_TRANSPORT_NAME,
  parseReference: parseMemoryReference,
};
