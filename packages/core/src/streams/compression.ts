// Compression detection by magic bytes and the transforms that change it.
import type { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { CompressionAlgorithm } from '../contracts/types.js';
import { UnsupportedError } from '../errors.js';
import { createParallelGzip, DEFAULT_PARALLEL_GZIP_LEVEL } from './parallel-gzip.js';

/** Longest magic we check. */
export const COMPRESSION_MAGIC_BYTES = 6;

const MAGICS: ReadonlyArray<[CompressionAlgorithm, readonly number[]]> = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

export function detectCompression(head: Uint8Array): CompressionAlgorithm | 'none' {
  for (const [algorithm, magic] of MAGICS) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return algorithm;
  }
  return 'none';
}

/**
 * A compressor for layers. gzip is one gzip member deflated in blocks on several threads at once
 * (see parallel-gzip.ts), at DEFAULT_PARALLEL_GZIP_LEVEL unless a level is given.
 */
export function compressor(algorithm: CompressionAlgorithm, level?: number): Transform {
  if (algorithm === 'gzip') return createParallelGzip({ level: level ?? DEFAULT_PARALLEL_GZIP_LEVEL });
  throw new UnsupportedError(`compressing layers with ${algorithm} is not supported yet (only gzip)`);
}

export function decompressor(algorithm: CompressionAlgorithm): Transform {
  if (algorithm === 'gzip') return createGunzip({ chunkSize: 128 * 1024 });
  throw new UnsupportedError(`decompressing ${algorithm} layers is not supported yet (only gzip)`);
}
