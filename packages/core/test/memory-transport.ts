// A small in-memory transport for the copy engine's own tests: the far ends of a copy, with hooks
// to corrupt or stall blobs.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type {
  BlobInfo,
  ImageDestination,
  ImageReference,
  ImageSource,
  LayerCompression,
  ManifestBlob,
  PutBlobInfo,
  Signature,
  Transport,
} from '../src/index.js';
import { DigestingStream, type Digest, digestOf, ImageNotFoundError, manifestDigest } from '../src/index.js';

export interface StoredImage {
  manifest: ManifestBlob;
  instances: Map<string, ManifestBlob>;
  signatures: Signature[];
}

export interface MemoryStore {
  blobs: Map<string, Uint8Array>;
  images: Map<string, StoredImage>;
}

export interface DestinationTraits {
  supportedManifestTypes?: readonly string[];
  desiredLayerCompression?: LayerCompression;
  supportsManifestLists?: boolean;
  supportsSignatures?: boolean;
  mustMatchDigest?: Digest;
  /** The destination answers hasManifest from the images already in its store. */
  hasManifest?: boolean;
}

export interface MemoryHooks {
  /** Replaces a blob's bytes on read (to simulate corruption). */
  corrupt?: (digest: string) => Uint8Array | undefined;
  /** An error to fail this read of the blob with, after its first half (a broken connection). */
  breakRead?: (digest: string) => Error | undefined;
  /** Records the number of getBlob calls running at once. */
  onConcurrency?: (running: number) => void;
  /** Called with the name of each blob or manifest-lookup method the engine calls. */
  onCall?: (method: 'getBlob' | 'putBlob' | 'tryReusingBlob' | 'hasManifest') => void;
  /** Changes what putBlob reports (a destination that breaks the contract). */
  reportPut?: (written: BlobInfo) => BlobInfo;
}

export function newStore(): MemoryStore {
  return { blobs: new Map(), images: new Map() };
}

export function createMemoryTransport(
  store: MemoryStore,
  traits: DestinationTraits = {},
  hooks: MemoryHooks = {},
) {
  const transport: Transport = {
    name: 'memory',
    parseReference: (name: string) => reference(name),
  };
  const reference = (name: string): ImageReference => {
    const self: ImageReference = {
      transport,
      withinTransport: name,
      dockerReference: undefined,
      toString: () => `memory:${name}`,
      policyIdentity: () => name,
      policyNamespaces: () => [],
      newSource: async () => source(self),
      newDestination: async () => destination(self),
      delete: async () => {
        store.images.delete(name);
      },
    };
    return self;
  };
  let running = 0;
  const source = (self: ImageReference): ImageSource => ({
    reference: self,
    threadSafe: true,
    async getManifest(instance?: Digest) {
      const image = store.images.get(self.withinTransport);
      if (!image) throw new ImageNotFoundError(`no image ${self.withinTransport}`);
      if (instance === undefined) return image.manifest;
      const found = image.instances.get(instance);
      if (!found) throw new ImageNotFoundError(`no instance ${instance}`);
      return found;
    },
    async getBlob(info: BlobInfo) {
      hooks.onCall?.('getBlob');
      const bytes = hooks.corrupt?.(info.digest) ?? store.blobs.get(info.digest);
      if (!bytes) throw new ImageNotFoundError(`no blob ${info.digest}`);
      running++;
      hooks.onConcurrency?.(running);
      const failure = hooks.breakRead?.(info.digest);
      const stream = failure ? Readable.from(brokenChunks(bytes, failure)) : Readable.from(chunks(bytes));
      stream.once('close', () => running--);
      return { stream, size: bytes.length };
    },
    async getSignatures() {
      return store.images.get(self.withinTransport)?.signatures ?? [];
    },
    async close() {},
  });
  const destination = (self: ImageReference): ImageDestination => {
    const stagedBlobs = new Map<string, Uint8Array>();
    const staged: StoredImage = {
      manifest: { bytes: new Uint8Array(), mediaType: '' },
      instances: new Map(),
      signatures: [],
    };
    return {
      reference: self,
      supportedManifestTypes: traits.supportedManifestTypes,
      desiredLayerCompression: traits.desiredLayerCompression ?? 'preserve',
      acceptsForeignLayers: true,
      supportsSignatures: traits.supportsSignatures ?? true,
      supportsManifestLists: traits.supportsManifestLists ?? true,
      ...(traits.mustMatchDigest ? { mustMatchDigest: traits.mustMatchDigest } : {}),
      threadSafe: true,
      async putBlob(stream: Readable, info: PutBlobInfo) {
        hooks.onCall?.('putBlob');
        const digesting = new DigestingStream({ digest: info.digest, size: info.size, what: 'put blob' });
        const parts: Buffer[] = [];
        stream.once('error', (error) => digesting.destroy(error));
        for await (const chunk of stream.pipe(digesting)) parts.push(chunk as Buffer);
        const bytes = Buffer.concat(parts);
        stagedBlobs.set(digesting.digest, bytes);
        const written = {
          digest: digesting.digest,
          size: bytes.length,
          ...(info.mediaType ? { mediaType: info.mediaType } : {}),
        };
        return hooks.reportPut ? hooks.reportPut(written) : written;
      },
      async tryReusingBlob(info: BlobInfo) {
        hooks.onCall?.('tryReusingBlob');
        const bytes = store.blobs.get(info.digest);
        return bytes ? { digest: info.digest, size: bytes.length } : undefined;
      },
      ...(traits.hasManifest
        ? {
            async hasManifest(digest: Digest) {
              hooks.onCall?.('hasManifest');
              for (const image of store.images.values()) {
                if (manifestDigest(image.manifest.bytes, image.manifest.mediaType) === digest) return true;
                if (image.instances.has(digest)) return true;
              }
              return false;
            },
          }
        : {}),
      async putManifest(bytes, options) {
        const blob = { bytes, mediaType: options?.mediaType ?? '' };
        if (options?.instanceDigest) staged.instances.set(options.instanceDigest, blob);
        else staged.manifest = blob;
      },
      async putSignatures(signatures) {
        staged.signatures = signatures;
      },
      async commit() {
        for (const [digest, bytes] of stagedBlobs) store.blobs.set(digest, bytes);
        store.images.set(self.withinTransport, staged);
      },
      async close() {},
    };
  };
  return {
    transport,
    ref: reference,
  };
}

function* chunks(bytes: Uint8Array): Generator<Buffer> {
  const size = 7;
  for (let i = 0; i < bytes.length; i += size) yield Buffer.from(bytes.subarray(i, i + size));
}

export function addBlob(store: MemoryStore, bytes: Uint8Array): { digest: Digest; size: number } {
  const digest = digestOf(bytes);
  store.blobs.set(digest, bytes);
  return { digest, size: bytes.length };
}

export async function readAll(stream: Readable): Promise<string> {
  return text(stream);
}

async function* brokenChunks(bytes: Uint8Array, failure: Error): AsyncGenerator<Buffer> {
  yield Buffer.from(bytes.subarray(0, Math.floor(bytes.length / 2)));
  throw failure;
}
