// Writes JSON lines to the caller's stream in batches (one write per ~64 KiB, not per entry),
// waiting whenever that stream asks us to.

import type { Writable } from 'node:stream';

const BATCH_CHARS = 64 * 1024;

export class LineSink {
  readonly #output: Writable;
  #batch = '';

  constructor(output: Writable) {
    this.#output = output;
  }

  async write(line: string): Promise<void> {
    this.#batch += line;
    if (this.#batch.length >= BATCH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#batch === '') return;
    const text = this.#batch;
    this.#batch = '';
    const output = this.#output;
    if (output.destroyed)
      throw new Error('the tar-split output stream was closed before the tar-split was complete');
    if (output.write(text)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        output.off('drain', onDrain);
        output.off('close', onClose);
        output.off('error', done);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () =>
        done(new Error('the tar-split output stream was closed before the tar-split was complete'));
      output.on('drain', onDrain);
      output.on('close', onClose);
      output.on('error', done);
    });
  }
}
