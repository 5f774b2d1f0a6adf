// Hands the chunks a Transform receives to an async parser, one chunk at a time: the
// Transform's callback for a chunk runs only when the parser has used all of it, so the
// parser's pace is the stream's backpressure.

export class InputQueue {
  #chunk: Buffer | undefined;
  #offset = 0;
  #release: (() => void) | undefined;
  #ended = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  /** Bytes handed to the parser so far. */
  consumed = 0;

  /** A new chunk; `release` runs once the parser has taken all of it. */
  push(chunk: Buffer, release: () => void): void {
    if (chunk.length === 0) {
      release();
      return;
    }
    this.#chunk = chunk;
    this.#offset = 0;
    this.#release = release;
    this.#wakeParser();
  }

  end(): void {
    this.#ended = true;
    this.#wakeParser();
  }

  /** Stops a waiting parser (the stream was destroyed). */
  fail(error: Error): void {
    this.#failure = error;
    this.#wakeParser();
  }

  #wakeParser(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Up to `max` bytes (a view, not a copy), or undefined at the end of the input. */
  async take(max: number): Promise<Buffer | undefined> {
    while (this.#chunk === undefined) {
      if (this.#failure) throw this.#failure;
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    const chunk = this.#chunk;
    const piece = chunk.subarray(this.#offset, this.#offset + max);
    this.#offset += piece.length;
    this.consumed += piece.length;
    if (this.#offset >= chunk.length) {
      const release = this.#release;
      this.#chunk = undefined;
      this.#release = undefined;
      release?.();
    }
    return piece;
  }

  /** Exactly `length` bytes, or fewer if the input ends first. */
  async takeExactly(length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    const first = await this.take(length);
    if (first === undefined) return Buffer.alloc(0);
    if (first.length === length) return first;
    const pieces = [first];
    let have = first.length;
    while (have < length) {
      const piece = await this.take(length - have);
      if (piece === undefined) break;
      pieces.push(piece);
      have += piece.length;
    }
    return Buffer.concat(pieces, have);
  }
}
