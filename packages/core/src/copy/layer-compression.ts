// Decides what to do with one layer's compression, given what it is and what the destination wants.
import type { LayerCompression } from '../contracts/destination.js';
import type { CompressionAlgorithm } from '../contracts/types.js';

export type CompressionStep =
  | { kind: 'preserve' }
  | { kind: 'compress'; to: CompressionAlgorithm }
  | { kind: 'decompress'; from: CompressionAlgorithm }
  | { kind: 'recompress'; from: CompressionAlgorithm; to: CompressionAlgorithm };

export interface CompressionWish {
  desired: LayerCompression;
  /** Algorithm to compress with (--dest-compress-format), default gzip. */
  format: CompressionAlgorithm | undefined;
  /** Recompress already-compressed layers that use another algorithm (--dest-force-compress-format). */
  forceFormat: boolean;
  /** Compression level when compressing (--dest-compress-level); undefined: the algorithm's default. */
  level?: number | undefined;
}

export function planCompression(
  detected: CompressionAlgorithm | 'none',
  wish: CompressionWish,
): CompressionStep {
  const target = wish.format ?? 'gzip';
  switch (wish.desired) {
    case 'compress':
      if (detected === 'none') return { kind: 'compress', to: target };
      if (wish.forceFormat && detected !== target) return { kind: 'recompress', from: detected, to: target };
      return { kind: 'preserve' };
    case 'decompress':
      return detected === 'none' ? { kind: 'preserve' } : { kind: 'decompress', from: detected };
    case 'preserve':
      if (wish.forceFormat && wish.format !== undefined && detected !== 'none' && detected !== target) {
        return { kind: 'recompress', from: detected, to: target };
      }
      return { kind: 'preserve' };
  }
}

/** The compression of a layer after a step. */
export function compressionAfter(
  detected: CompressionAlgorithm | 'none',
  step: CompressionStep,
): CompressionAlgorithm | 'none' {
  switch (step.kind) {
    case 'preserve':
      return detected;
    case 'compress':
    case 'recompress':
      return step.to;
    case 'decompress':
      return 'none';
  }
}
