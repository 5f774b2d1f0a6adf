// Reading a file's content from an open descriptor straight into the output slab: small files
// with blocking reads (a thread-pool round trip per call costs more than the call), big ones
// with the pool's reads so a slow disk does not stall the event loop.

import { read, readSync } from 'node:fs';

/** Reads up to `length` bytes at the descriptor's position into `target` at `offset`. */
export function readInto(fd: number, target: Uint8Array, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, target, offset, length, null, (error, got) => (error ? reject(error) : resolve(got)));
  });
}

/** Reads up to `length` bytes, blocking. */
export function readIntoSync(fd: number, target: Uint8Array, offset: number, length: number): number {
  return readSync(fd, target, offset, length, null);
}

/**
 * Where the one-byte read past a file's recorded size goes: only its count matters (a byte there
 * means the file is longer), so one scratch byte serves every read.
 */
export const PROBE = Buffer.alloc(1);
