// Writing a memory: image. Blobs and manifests go into the shared blob directory as they arrive
// (each one whole, by rename, under the digest of the bytes actually written); the image becomes
// visible only at commit(), when its record is renamed into place. close() without commit leaves
// no image: at most some unreferenced blobs.
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type CommitOptions,
  Digester,
  digestAlgorithm,
  effectiveManifestMediaType,
  type ImageDestination,
  type ImageReference,
  manifestDigest,
  type PutBlobInfo,
  type PutBlobOptions,
  type PutManifestOptions,
  type ReusedBlob,
  SkopeoError,
  signaturesNotSupported,
  throwIfAborted,
} from '@skopeo-ts/core';
import { blobPath, type ImageRecord, publish, recordPath, tempPath, writeAtomically } from './store.js';

export class MemoryDestination implements ImageDestination {
  // What this destination stores, so the copy engine knows what to send:
  /** Any manifest type, kept as it is (no conversion). */
  readonly supportedManifestTypes = undefined;
  /** Layers are stored as they come (no compression change). */
  readonly desiredLayerCompression = 'preserve';
  readonly acceptsForeignLayers = true;
  readonly supportsManifestLists = true;
  /** Signatures are not stored: copying a signed image fails unless --remove-signatures. */
  readonly supportsSignatures = false;
  /** putBlob may run concurrently: each call writes its own temporary file. */
  readonly threadSafe = true;

  private manifest: ImageRecord['manifest'] | undefined;
  private readonly instances: Record<string, string> = {};
  /** Temporary files being written, removed by close() if still there. */
  private readonly temps = new Set<string>();

  constructor(
    readonly reference: ImageReference,
    private readonly root: string,
    private readonly name: string,
  ) {}

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    // Hash what is written and store it under that digest: bytes that do not match info.digest
    // (the copy engine also checks, and fails the stream) can never be stored under it.
    const digester = new Digester(info.digest === undefined ? undefined : digestAlgorithm(info.digest));
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        digester.update(chunk);
        callback(null, chunk);
      },
    });
    const temp = await tempPath(this.root);
    this.temps.add(temp);
    try {
      await pipeline(stream, hashing, createWriteStream(temp), { signal: options.signal });
      const digest = digester.digest();
      await publish(temp, blobPath(this.root, digest));
      return { digest, size: digester.size, ...(info.mediaType ? { mediaType: info.mediaType } : {}) };
    } finally {
      await rm(temp, { force: true });
      this.temps.delete(temp);
    }
  }

  async tryReusingBlob(info: BlobInfo): Promise<ReusedBlob | undefined> {
    try {
      const { size } = await stat(blobPath(this.root, info.digest));
      return { digest: info.digest, size };
    } catch {
      return undefined; // not here: the copy engine sends it with putBlob
    }
  }

  async putManifest(bytes: Uint8Array, options: PutManifestOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const mediaType = options.mediaType ?? effectiveManifestMediaType(bytes);
    // A list instance is named by the digest the list gives it; the top-level manifest by its own.
    const digest = options.instanceDigest ?? manifestDigest(bytes, mediaType);
    await writeAtomically(this.root, blobPath(this.root, digest), bytes);
    if (options.instanceDigest === undefined) this.manifest = { digest, mediaType };
    else this.instances[digest] = mediaType;
  }

  // Core's "not supported" stub: accepts an empty list, refuses signatures with UNSUPPORTED.
  putSignatures = signaturesNotSupported('memory');

  async commit(options: CommitOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    if (this.manifest === undefined) {
      throw new SkopeoError('INTERNAL', `commit of ${this.reference} before its manifest was written`);
    }
    const record: ImageRecord = { manifest: this.manifest, instances: this.instances };
    await writeAtomically(
      this.root,
      recordPath(this.root, this.name),
      `${JSON.stringify(record, null, 2)}\n`,
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.temps].map((temp) => rm(temp, { force: true })));
  }
}
