// One tar stream written to an output, one entry at a time (a tar has no room for interleaving).
// The first failure poisons the output: every later call fails with it, and the reader of the
// output sees an error rather than a short archive.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Header, type Pack, pack as createPack } from 'tar-stream';
import { asError } from '../errors.js';

/** docker save and skopeo write fixed owners and times; so do we, for reproducible archives. */
const ENTRY_DEFAULTS = { uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0) } as const;

function drained(sink: NodeJS.EventEmitter & { destroying?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sink.destroying) {
      reject(new Error('the tar stream closed before all data was written'));
      return;
    }
    const onDrain = () => {
      sink.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      sink.off('drain', onDrain);
      reject(new Error('the tar stream closed before all data was written'));
    };
    sink.once('drain', onDrain);
    sink.once('close', onClose);
  });
}

export class TarOutput {
  private readonly pack: Pack = createPack();
  private readonly flowing: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();
  private active = 0;
  private failure: Error | undefined;

  constructor(private readonly output: NodeJS.WritableStream) {
    this.flowing = pipeline(Readable.from(this.pack, { objectMode: false }), output as Writable);
    this.flowing.catch((error: unknown) => {
      this.failure ??= asError(error);
    });
  }

  /** True when no entry is being written or waiting: a blob can go straight in. */
  get idle(): boolean {
    return this.active === 0;
  }

  /** Runs `step` when every earlier step is done; a failure poisons the output. */
  private serialized<T>(step: () => Promise<T>): Promise<T> {
    this.active++;
    const run = this.queue.then(async () => {
      if (this.failure) throw this.failure;
      try {
        return await step();
      } catch (error) {
        this.fail(asError(error));
        throw error;
      }
    });
    this.queue = run.then(
      () => this.active--,
      () => this.active--,
    );
    return run;
  }

  addFile(name: string, size: number, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    return this.serialized(() => this.entry({ name, size, type: 'file', mode: 0o644 }, body));
  }

  addBytes(name: string, bytes: Uint8Array): Promise<void> {
    return this.addFile(name, bytes.length, [bytes]);
  }

  addDirectory(name: string): Promise<void> {
    return this.serialized(() => this.entry({ name: `${name}/`, type: 'directory', mode: 0o755 }));
  }

  addSymlink(name: string, target: string): Promise<void> {
    return this.serialized(() => this.entry({ name, type: 'symlink', linkname: target, mode: 0o777 }));
  }

  /** Ends the archive and waits until the output has taken all of it. */
  async finish(): Promise<void> {
    await this.serialized(async () => {
      this.pack.finalize();
    });
    await this.flowing;
    if (this.failure) throw this.failure;
  }

  /** Tears the output down with `error`, so its reader sees a failure, not a short archive. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.pack.destroy(error);
    const output = this.output as NodeJS.WritableStream & { destroy?: (error?: Error) => void };
    output.destroy?.(error);
  }

  /** Settles once the output is done (finished or torn down). */
  async settled(): Promise<void> {
    await this.flowing.catch(() => {});
  }

  private async entry(
    header: Partial<Header> & { name: string },
    body?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<void> {
    let sink!: ReturnType<Pack['entry']>;
    const written = new Promise<void>((resolve, reject) => {
      sink = this.pack.entry({ ...ENTRY_DEFAULTS, ...header }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    written.catch(() => {});
    sink.on('error', () => {}); // reported through `written`
    if (body !== undefined) {
      for await (const chunk of body) if (!sink.write(chunk)) await drained(sink);
    }
    if (header.type === 'file') sink.end(undefined);
    await written;
  }
}
