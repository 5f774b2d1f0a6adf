// Small engine answers (errors, /_ping, load progress) are read whole, up to a limit, so a
// confused or hostile peer cannot make us buffer without end.
import type { Readable } from 'node:stream';
import { SkopeoError } from '@skopeo-ts/core';

export async function readLimited(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      stream.destroy();
      throw new SkopeoError('IO', `the Docker daemon's answer is larger than ${limit} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
