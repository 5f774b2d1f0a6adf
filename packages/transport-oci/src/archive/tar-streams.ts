// Small glue between tar-stream's streamx streams and Node streams, with backpressure.
import type { Readable } from 'node:stream';
import type { Extract, Header, Pack } from 'tar-stream';

/** Waits until a streamx writable can take more data; fails if it is torn down meanwhile. */
export function drained(sink: NodeJS.EventEmitter & { destroying?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sink.destroying) {
      reject(new Error('tar stream closed before all data was written'));
      return;
    }
    const onDrain = () => {
      sink.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      sink.off('drain', onDrain);
      reject(new Error('tar stream closed before all data was written'));
    };
    sink.once('drain', onDrain);
    sink.once('close', onClose);
  });
}

/** Feeds a Node readable into a tar extractor; a read error tears the extractor down. */
export async function feedExtractor(input: Readable, extractor: Extract): Promise<void> {
  try {
    for await (const chunk of input) if (!extractor.write(chunk as Buffer)) await drained(extractor);
    extractor.end(undefined);
  } catch (error) {
    extractor.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Adds one entry to a pack; `body` must yield exactly `header.size` bytes for files. */
export async function addEntry(
  pack: Pack,
  header: Partial<Header> & { name: string },
  body?: AsyncIterable<Uint8Array>,
): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
  });
  finished.catch(() => {}); // awaited below; do not report an early failure as unhandled
  // The entry's failure reaches us through its callback (`finished`); a torn-down pack (an abort)
  // also makes it emit 'error', which must not become an uncaught exception.
  sink.on('error', () => {});
  if (body !== undefined) {
    for await (const chunk of body) if (!sink.write(chunk)) await drained(sink);
  }
  if (header.type === 'file') sink.end(undefined);
  await finished;
}
