// Deterministic pseudo-random bytes: file contents that gzip cannot squeeze to nothing, so layers
// have a real size and a copy can be stopped halfway through one.
import { createHash } from 'node:crypto';

export function pseudoRandomBytes(seed: string, size: number): Uint8Array {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset, 0, Math.min(block.length, size - offset));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
