// The streaming face of tar-split generation: a Transform that passes the tar through unchanged
// (for digesting or untarring), writes the tar-split JSON lines to a stream of the caller's, and
// hands each member with its content to an optional handler, all in one pass.

import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type DisassembleSummary, disassemble, type MemberHandler } from './disassemble.js';
import { InputQueue } from './input-queue.js';
import { LineSink } from './line-sink.js';

export type { DisassembleSummary as TarSplitSummary, MemberHandler } from './disassemble.js';

export interface TarSplitGeneratorOptions {
  /**
   * Receives the tar-split JSON lines, uncompressed (pipe it through `zlib.createGzip()` for the
   * `.tar-split.gz` form). Its backpressure is honoured. It is ended when the tar has been read
   * (unless `endOutput` is false) and destroyed if generation fails.
   */
  output: Writable;
  endOutput?: boolean;
  /**
   * Called for every member tar-split records as a file entry, in archive order, with its header
   * and content stream. The tar does not advance until the returned promise settles and the
   * content has been read or left (unread content is discarded once the handler settles). A
   * rejection fails the whole generation.
   */
  onMember?: MemberHandler;
}

/**
 * Write an uncompressed tar into it; read the same bytes back out (you must consume them, or
 * call `resume()`). `summary` resolves after the last byte, once the tar-split is complete.
 * Errors: a `TarSplitError` (`BAD_TAR`, `UNSUPPORTED`, `DUPLICATE_PATH`) destroys the stream.
 */
export class TarSplitGenerator extends Transform {
  readonly #input = new InputQueue();
  readonly #result: Promise<DisassembleSummary>;
  readonly #output: Writable;
  readonly #endOutput: boolean;

  constructor(options: TarSplitGeneratorOptions) {
    super();
    this.#output = options.output;
    this.#endOutput = options.endOutput ?? true;
    this.#result = disassemble(this.#input, new LineSink(options.output), options.onMember);
    this.#result.catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      // Without the error: the caller's pipeline over `output` fails (premature close) rather
      // than an 'error' event nobody may be listening to.
      this.#output.destroy();
      this.destroy(failure);
    });
  }

  /** Resolves with counts once the whole tar has been read and every line written. */
  get summary(): Promise<DisassembleSummary> {
    return this.#result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.push(chunk);
    this.#input.push(chunk, callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#input.end();
    this.#result.then(
      () => {
        if (this.#endOutput) this.#output.end();
        callback();
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#input.fail(error ?? new Error('the tar-split generator was destroyed before the tar ended'));
    callback(error);
  }
}

/**
 * Reads a whole tar from `tar` and writes its tar-split to `options.output`, without passing
 * the tar on. Resolves when both are done.
 */
export async function generateTarSplit(
  tar: Readable,
  options: TarSplitGeneratorOptions,
): Promise<DisassembleSummary> {
  const generator = new TarSplitGenerator(options);
  generator.resume();
  await pipeline(tar, generator);
  return generator.summary;
}
