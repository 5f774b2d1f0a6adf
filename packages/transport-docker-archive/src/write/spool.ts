// Spools a blob to a private temp file while hashing it: tar entries need their size up front,
// and a blob whose size or digest is unknown (decompressed on the fly) gets both here.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Digest, Digester } from '@skopeo-ts/core';

export interface SpooledBlob {
  path: string;
  digest: Digest;
  size: number;
}

let counter = 0;

export async function spoolBlob(
  stream: Readable,
  dir: string,
  signal: AbortSignal | undefined,
): Promise<SpooledBlob> {
  const path = join(dir, `blob-${++counter}`);
  const digester = new Digester();
  await pipeline(
    stream,
    async function* hashing(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        digester.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(path, { flags: 'wx', mode: 0o600 }),
    signal ? { signal } : {},
  );
  return { path, digest: digester.digest(), size: digester.size };
}
