// Feeds one member's content to the Readable a caller's handler got, honouring that stream's
// backpressure, without ever waiting on a handler that has stopped reading.

import { Readable } from 'node:stream';

export class ContentPump {
  readonly stream: Readable;
  #wantMore: (() => void) | undefined;
  #closed = false;

  constructor() {
    this.stream = new Readable({
      read: () => this.#resumeWriter(),
    });
    this.stream.once('close', () => {
      // The reader destroyed it: nothing more goes in, and the writer must not wait.
      this.#closed = true;
      this.#resumeWriter();
    });
  }

  #resumeWriter(): void {
    const resume = this.#wantMore;
    this.#wantMore = undefined;
    resume?.();
  }

  /** Pushes a piece; resolves when the reader can take more (or has gone). */
  async write(piece: Buffer): Promise<void> {
    if (this.#closed) return;
    // A view of the chunk the tar also passes through, not a copy: readers must not modify it.
    if (this.stream.push(piece)) return;
    if (this.#closed) return;
    await new Promise<void>((resolve) => {
      this.#wantMore = resolve;
    });
  }

  end(): void {
    if (!this.#closed) this.stream.push(null);
  }

  /** The handler has settled: whatever it left unread is thrown away from now on. */
  drainUnread(): void {
    if (!this.#closed) this.stream.resume();
  }
}
