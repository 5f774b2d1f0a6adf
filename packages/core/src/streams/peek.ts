// Reads the first bytes of a stream without consuming them, to detect compression by magic bytes.
import type { Readable } from 'node:stream';

/**
 * Resolves with up to `count` leading bytes of `stream` (fewer if it ends first); the bytes are
 * pushed back, so the stream still yields everything from the start.
 */
export function peekStream(stream: Readable, count: number): Promise<Buffer> {
  // A stream already failed or closed (a copy that failed before this reader started) emits
  // nothing more: answer now rather than wait forever.
  if (stream.errored) return Promise.reject(stream.errored);
  if (stream.destroyed && !stream.readableEnded) {
    return Promise.reject(new Error('the stream was closed before it could be read'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (error?: Error) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
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
    const onClose = () => {
      if (!stream.readableEnded) finish(new Error('the stream was closed before it could be read'));
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}
