// The rebuilt tar gathered into fixed-size chunks: segments are copied in and files read straight
// in, so that one chunk carries hundreds of small files (the stream, the digests and the
// compressor downstream pay per chunk), and every chunk but the last has the same size. Each
// chunk handed out is a slab of its own, never written again.

export class OutputSlab {
  // Allocated when first written to, so the last take leaves none behind.
  #slab: Buffer | undefined;
  #end = 0;

  constructor(readonly slabSize: number) {}

  /** Bytes gathered and not yet taken. */
  get pending(): number {
    return this.#end;
  }

  /** Bytes that still fit before the slab is full. */
  get room(): number {
    return this.slabSize - this.#end;
  }

  /** Where the next bytes go (up to `room`), for reading a file straight into the slab. */
  get buffer(): Buffer {
    this.#slab ??= Buffer.allocUnsafeSlow(this.slabSize);
    return this.#slab;
  }

  get offset(): number {
    return this.#end;
  }

  /** Adds the `length` bytes just written at `offset`. */
  commit(length: number): void {
    this.#end += length;
  }

  /** Copies in as much of `bytes` as fits; returns how much. */
  append(bytes: Uint8Array): number {
    const length = Math.min(bytes.length, this.room);
    this.buffer.set(length === bytes.length ? bytes : bytes.subarray(0, length), this.#end);
    this.#end += length;
    return length;
  }

  /** What was gathered, as a view of the slab (the next bytes go to a new one), or undefined. */
  take(): Buffer | undefined {
    if (this.#end === 0 || this.#slab === undefined) return undefined;
    const chunk = this.#slab.subarray(0, this.#end);
    this.#slab = undefined;
    this.#end = 0;
    return chunk;
  }
}
