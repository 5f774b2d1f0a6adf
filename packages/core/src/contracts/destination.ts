// ImageDestination: writes one image (or manifest list) into a transport.
// Nothing is visible at the destination until commit(); close() without commit leaves no
// partial image behind.
import type { Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import type { BlobInfoCache } from './blob-info-cache.js';
import type { ImageReference } from './reference.js';
import type { BlobInfo, CompressionAlgorithm, Signature } from './types.js';

export type LayerCompression = 'preserve' | 'compress' | 'decompress';

export interface PutBlobOptions {
  signal?: AbortSignal;
  /** The blob is the image config, not a layer. */
  isConfig: boolean;
  /** Position of this layer in the manifest's layer list (undefined for configs). */
  layerIndex?: number;
  /** The uncompressed digest the config expects for this layer (containers-storage checks it). */
  expectedDiffID?: Digest;
  /** The source image, for cross-repository mounts. */
  sourceReference?: ImageReference;
  cache: BlobInfoCache;
  /** The list member being written, for destinations that write instances separately. */
  instanceDigest?: Digest;
}

export interface TryReusingBlobOptions extends PutBlobOptions {
  /** The destination may answer with a different (e.g. compressed) variant of the blob. */
  canSubstitute: boolean;
  /** When substituting, only accept this compression. */
  requiredCompression?: CompressionAlgorithm | 'none';
}

export interface ReusedBlob {
  digest: Digest;
  size: number;
  mediaType?: string;
  /** The compression of the blob the destination will use, when it substituted one. */
  compression?: CompressionAlgorithm | 'none';
}

export interface PutManifestOptions {
  signal?: AbortSignal;
  /** The manifest's media type, as the copy engine determined it. */
  mediaType?: string;
  /** Set when writing one member of a manifest list. */
  instanceDigest?: Digest;
}

export interface HasManifestOptions {
  signal?: AbortSignal;
}

export interface CommitOptions {
  signal?: AbortSignal;
  /** The top-level manifest bytes (a list or the single manifest) as written. */
  unparsedToplevel?: Uint8Array;
}

export interface ImageDestination {
  readonly reference: ImageReference;
  /** Manifest media types this destination stores, most preferred first; undefined: any. */
  readonly supportedManifestTypes: readonly string[] | undefined;
  readonly desiredLayerCompression: LayerCompression;
  /** The compression to use when compressing (default gzip). */
  readonly desiredCompressionAlgorithm?: CompressionAlgorithm;
  /** Foreign (non-distributable) layers are stored instead of referenced by URL. */
  readonly acceptsForeignLayers: boolean;
  readonly supportsSignatures: boolean;
  /** The destination cannot store anything but the manifest digest it is named by. */
  readonly mustMatchDigest?: Digest;
  /** true when putBlob may be called concurrently. The copy engine serializes calls otherwise. */
  readonly threadSafe: boolean;
  /** Lists (OCI index, Docker list) are stored; if false only single images are written. */
  readonly supportsManifestLists: boolean;
  /**
   * Writes a blob from a stream. The transport checks nothing against `info` beyond what it must;
   * the copy engine verifies digest and size while streaming and aborts the stream on mismatch.
   * `info.digest` may be undefined-like (size -1) when the engine compresses on the fly: then the
   * returned BlobInfo must carry the digest and size of what was written (the engine does not hash
   * the output itself; the manifest it writes takes them from here).
   */
  putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo>;
  /** Returns the blob to use if the destination already has it (or a substitute); else undefined. */
  tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined>;
  putManifest(bytes: Uint8Array, options?: PutManifestOptions): Promise<void>;
  /**
   * Optional: whether the destination already holds a manifest with this digest (with every blob
   * it references, as a registry repository does). When it does and the copy would write that very
   * manifest, the copy engine skips every blob and only writes the manifest (to set the tag).
   */
  hasManifest?(digest: Digest, options?: HasManifestOptions): Promise<boolean>;
  putSignatures(signatures: Signature[], options?: PutManifestOptions): Promise<void>;
  /** Makes everything written visible, atomically where the transport can. */
  commit(options?: CommitOptions): Promise<void>;
  /** Releases resources; without a prior commit, removes whatever was staged. */
  close(): Promise<void>;
}

/** What putBlob is told about an incoming blob: the digest is unknown when it is computed on the fly. */
export interface PutBlobInfo {
  digest: Digest | undefined;
  size: number;
  mediaType?: string;
  annotations?: Record<string, string>;
}
