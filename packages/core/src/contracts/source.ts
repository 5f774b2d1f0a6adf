// ImageSource: reads one image (or manifest list) from a transport.
import type { Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import type { BlobInfoCache } from './blob-info-cache.js';
import type { ImageReference } from './reference.js';
import type { BlobInfo, ManifestBlob, Signature } from './types.js';

export interface ReadOptions {
  signal?: AbortSignal;
}

export interface GetBlobOptions extends ReadOptions {
  cache?: BlobInfoCache;
  /** The blob is a config (some transports store configs apart from layers). */
  isConfig?: boolean;
}

export interface BlobStream {
  /** The blob's bytes, streamed; the consumer verifies the digest. */
  stream: Readable;
  /** Size in bytes, or -1 when the transport cannot tell before reading. */
  size: number;
}

export interface ImageSource {
  readonly reference: ImageReference;
  /**
   * true when getBlob may be called concurrently. The copy engine serializes calls otherwise.
   */
  readonly threadSafe: boolean;
  /**
   * The manifest. Without instanceDigest: the top-level manifest (possibly a list); with it, the
   * list member of that digest. Throws a NOT_FOUND error when the image does not exist.
   */
  getManifest(instanceDigest?: Digest, options?: ReadOptions): Promise<ManifestBlob>;
  getBlob(info: BlobInfo, options?: GetBlobOptions): Promise<BlobStream>;
  getSignatures(instanceDigest?: Digest, options?: ReadOptions): Promise<Signature[]>;
  /**
   * Layer infos to use instead of the manifest's, when the transport stores layers differently
   * from what its manifest says (e.g. containers-storage keeps them uncompressed).
   * undefined means "use the manifest's".
   */
  layerInfosForCopy?(instanceDigest?: Digest, options?: ReadOptions): Promise<BlobInfo[] | undefined>;
  close(): Promise<void>;
}
