// Small value types shared by the contracts.
import type { Digest } from '../digest.js';

/** What a transport knows about one blob (layer or config). `size` is -1 when unknown. */
export interface BlobInfo {
  digest: Digest;
  size: number;
  mediaType?: string;
  /** Foreign-layer locations (`urls` in a manifest descriptor). */
  urls?: string[];
  annotations?: Record<string, string>;
}

/** A manifest exactly as stored: the bytes are authoritative, never re-serialized by accident. */
export interface ManifestBlob {
  bytes: Uint8Array;
  mediaType: string;
}

/** A signature as stored next to an image. */
export type Signature =
  | { kind: 'simple-signing'; bytes: Uint8Array }
  | { kind: 'sigstore'; mediaType: string; payload: Uint8Array; annotations: Record<string, string> };

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  features?: string[];
}

/** Compression of a layer stream as detected from its first bytes. */
export type CompressionAlgorithm = 'gzip' | 'zstd' | 'bzip2' | 'xz';
