// CRC-64/ISO as Go's hash/crc64 computes it with crc64.ISO: reflected polynomial
// 0xD800000000000000, initial value and final xor all ones. tar-split stores it, big-endian, as
// the checksum of every file's content, so it runs over every byte of every layer.
//
// The ISO polynomial is x^64 + x^4 + x^3 + x + 1, so x^64 ≡ x^4 + x^3 + x + 1: folding 64 message
// bits into the register takes a handful of shifts and xors, no table. The register lives in two
// unsigned 32-bit halves (no BigInt); whole words are read through an Int32Array view.

import { endianness } from 'node:os';
import { loadWasmCrc64 } from './crc64-wasm.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** High halves of the byte-at-a-time table (the low halves are all zero for this polynomial). */
const BYTE_TABLE_HI = buildByteTable();

function buildByteTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    let lo = b;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = (lo >>> 1) | ((hi & 1) << 31);
      hi >>>= 1;
      if (carry) hi ^= 0xd8000000;
    }
    table[b] = hi >>> 0;
  }
  return table;
}

/** The loop in JavaScript, for where WebAssembly is unavailable (node --jitless). */
export class Crc64Js {
  // The running register (inverted, as the algorithm keeps it), as two 32-bit halves.
  #lo = -1;
  #hi = -1;

  update(data: Uint8Array): this {
    let lo = this.#lo;
    let hi = this.#hi;
    const n = data.length;
    let i = 0;
    // Bytes up to a 4-byte boundary of the underlying memory, so the words below are aligned.
    const head = LITTLE_ENDIAN ? Math.min(n, (4 - (data.byteOffset & 3)) & 3) : n;
    for (; i < head; i++) {
      const index = (lo ^ data[i]!) & 0xff;
      lo = (lo >>> 8) | (hi << 24);
      hi = (hi >>> 8) ^ BYTE_TABLE_HI[index]!;
    }
    const words = (n - i) >>> 3;
    if (words > 0) {
      const view = new Int32Array(data.buffer, data.byteOffset + i, words * 2);
      for (let w = 0; w < view.length; w += 2) {
        const vLo = lo ^ view[w]!;
        const vHi = hi ^ view[w + 1]!;
        // u = v ^ v<<60 ^ v<<61 ^ v<<63: the bits that overflow x^64, folded back once.
        const uHi = vHi ^ (vLo << 28) ^ (vLo << 29) ^ (vLo << 31);
        // register = u ^ u>>1 ^ u>>3 ^ u>>4 (multiplying by x^4 + x^3 + x + 1, reflected).
        lo = vLo ^ (vLo >>> 1) ^ (vLo >>> 3) ^ (vLo >>> 4) ^ (uHi << 31) ^ (uHi << 29) ^ (uHi << 28);
        hi = uHi ^ (uHi >>> 1) ^ (uHi >>> 3) ^ (uHi >>> 4);
      }
      i += words * 8;
    }
    for (; i < n; i++) {
      const index = (lo ^ data[i]!) & 0xff;
      lo = (lo >>> 8) | (hi << 24);
      hi = (hi >>> 8) ^ BYTE_TABLE_HI[index]!;
    }
    this.#lo = lo;
    this.#hi = hi;
    return this;
  }

  /** The 8-byte checksum, big-endian, as Go's `Sum` appends it (and tar-split stores it). */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.#hi >>> 0, 0);
    out.writeUInt32BE(~this.#lo >>> 0, 4);
    return out;
  }

  reset(): void {
    this.#lo = -1;
    this.#hi = -1;
  }
}

/** The same loop in WebAssembly, about 1.5 times as fast, where it can be compiled. */
const WASM = loadWasmCrc64();
const ALL_ONES = (1n << 64n) - 1n;

/** An incremental CRC-64/ISO. */
export class Crc64 {
  // The running register (inverted, as the algorithm keeps it), when WebAssembly computes it.
  #register = ALL_ONES;
  readonly #js = WASM === undefined ? new Crc64Js() : undefined;

  update(data: Uint8Array): this {
    if (this.#js !== undefined) this.#js.update(data);
    else this.#register = WASM!.update(this.#register, data);
    return this;
  }

  /** The 8-byte checksum, big-endian, as Go's `Sum` appends it (and tar-split stores it). */
  digest(): Buffer {
    if (this.#js !== undefined) return this.#js.digest();
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(this.#register ^ ALL_ONES);
    return out;
  }

  reset(): void {
    this.#js?.reset();
    this.#register = ALL_ONES;
  }
}

/** CRC-64/ISO of one buffer, big-endian. */
export function crc64(data: Uint8Array): Buffer {
  return new Crc64().update(data).digest();
}
