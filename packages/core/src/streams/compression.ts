// Compression detection by magic bytes and the transforms that change it.
import type { Transform } from 'node:stream';
import { createGunzip, createGzip, constants as zlibConstants } from 'node:zlib';
import type { CompressionAlgorithm } from '../contracts/types.js';
import { UnsupportedError } from '../errors.js';

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

export function compressor(algorithm: CompressionAlgorithm, level?: number): Transform {
  if (algorithm === 'gzip') {
    return createGzip({ level: level ?? zlibConstants.Z_DEFAULT_COMPRESSION, chunkSize: 128 * 1024 });
  }
  throw new UnsupportedError(`compressing layers with ${algorithm} is not supported yet (only gzip)`);
}

export function decompressor(algorithm: CompressionAlgorithm): Transform {
  if (algorithm === 'gzip') return createGunzip({ chunkSize: 128 * 1024 });
  throw new UnsupportedError(`decompressing ${algorithm} layers is not supported yet (only gzip)`);
}
