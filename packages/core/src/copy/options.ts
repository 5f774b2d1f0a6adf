// Options and result of copyImage, named after skopeo's flags where one exists.
import type { BlobInfoCache } from '../contracts/blob-info-cache.js';
import type { Context, ProgressSink } from '../contracts/context.js';
import type { CompressionAlgorithm, Platform } from '../contracts/types.js';
import type { Digest } from '../digest.js';
import type { RetryPolicy } from '../retry.js';

/** skopeo's --multi-arch: which parts of a manifest list to copy. */
export type MultiArch = 'system' | 'all' | 'index-only';

export interface CopyOptions {
  /** Context for the source (credentials, TLS, daemon host, ...). */
  sourceContext?: Context;
  /** Context for the destination. */
  destinationContext?: Context;
  /** Default `system`: the instance for the running (or `platform`) platform. */
  multiArch?: MultiArch;
  /** Platform to pick from a list instead of the running one (--override-os/arch/variant). */
  platform?: Partial<Platform>;
  /** Force this manifest type at the destination (-f/--format). */
  manifestType?: string;
  /** Refuse any change to the manifest (--preserve-digests). */
  preserveDigests?: boolean;
  /** Drop signatures instead of failing when the destination cannot store them. */
  removeSignatures?: boolean;
  /** Compression algorithm to use when compressing (--dest-compress-format). */
  compressionFormat?: CompressionAlgorithm;
  /** Level for layers the copy compresses (--dest-compress-level; gzip: 1-9, default 1). */
  compressionLevel?: number;
  /** Recompress layers compressed with another algorithm (--dest-force-compress-format). */
  forceCompressionFormat?: boolean;
  /** Blobs copied at once (default 6, like skopeo). */
  concurrency?: number;
  cache?: BlobInfoCache;
  /**
   * Each blob is copied again after a network error, a 5xx or a 429 (skopeo's --retry-times and
   * --retry-delay), on its own; an error that survives is marked so an outer retry of the whole
   * copy does not start over (see `isRetryableError`).
   */
  retry?: RetryPolicy;
  signal?: AbortSignal;
  progress?: ProgressSink;
}

export interface CopyResult {
  /** Top-level manifest written to the destination. */
  manifest: Uint8Array;
  mediaType: string;
  /** Digest of the top-level manifest as written (for --digestfile). */
  digest: Digest;
}

export const DEFAULT_CONCURRENCY = 6;
