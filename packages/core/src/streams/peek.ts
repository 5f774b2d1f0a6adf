// Reads the first bytes of a stream without consuming them, to detect compression by magic bytes.
import type { Readable } from 'node:stream';

/**
 * Resolves with up to `count` leading bytes of `stream` (fewer if it ends first); the bytes are
 * pushed back, so the stream still yields everything from the start.
 */
export function peekStream(stream: Readable, count: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (error?: Error) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      const head = Buffer.concat(chunks, length);
      if (head.length > 0 && !error) stream.unshift(head);
      if (error) reject(error);
      else resolve(head.subarray(0, count));
    };
    const onReadable = () => {
      for (;;) {
        const chunk: Buffer | string | null = stream.read();
        if (chunk === null) return;
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        chunks.push(buffer);
        length += buffer.length;
        if (length >= count) {
          finish();
          return;
        }
      }
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(error);
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}
