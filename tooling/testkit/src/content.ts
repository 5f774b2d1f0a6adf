// Deterministic pseudo-random file contents: the same seed and size always give the same bytes
// (so the same digests), and the bytes do not compress, like real binaries.
import { createCipheriv, createHash } from 'node:crypto';

const CHUNK = 256 * 1024;

/** Yields `size` bytes derived from `seed` (AES-128-CTR over zeros: fast and reproducible). */
export function* deterministicChunks(seed: string, size: number, chunkSize = CHUNK): Generator<Buffer> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(Math.min(chunkSize, Math.max(size, 1)));
  for (let left = size; left > 0; left -= zeros.length) {
    yield cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
  }
}

/** `size` deterministic bytes in one buffer (for small files). */
export function deterministicBytes(seed: string, size: number): Buffer {
  return Buffer.concat([...deterministicChunks(seed, size)]);
}
