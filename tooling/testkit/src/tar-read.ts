// Listing a layer's entries, to check what a writer (ours or skopeo-ts) put into a layer.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { drained } from './tar.js';

export interface LayerEntry {
  name: string;
  type: string;
  size: number;
  mode: number;
  linkname: string | null;
  mtime: Date;
  uid: number;
  gid: number;
  /** sha256 of the body, for regular files. */
  digest?: string;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Reads a layer tar (gzip detected by magic bytes) and lists its entries in order. */
export async function readLayerEntries(path: string): Promise<LayerEntry[]> {
  const file = createReadStream(path);
  let tar: Readable = file;
  if (await isGzip(path)) {
    const gunzip = createGunzip();
    file.once('error', (error) => gunzip.destroy(error));
    tar = file.pipe(gunzip);
  }
  const extractor = extract();
  const entries: LayerEntry[] = [];
  // Feed the (streamx) extractor by hand with backpressure; a read error tears it down.
  const feeding = (async () => {
    try {
      for await (const chunk of tar) if (!extractor.write(chunk)) await drained(extractor);
      extractor.end(undefined);
    } catch (error) {
      extractor.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  try {
    for await (const entry of extractor) {
      const { header } = entry;
      const hash = createHash('sha256');
      for await (const chunk of entry) hash.update(chunk as Buffer);
      entries.push({
        name: header.name,
        type: header.type,
        size: header.size,
        mode: header.mode,
        linkname: header.linkname,
        mtime: header.mtime,
        uid: header.uid,
        gid: header.gid,
        ...(header.type === 'file' ? { digest: `sha256:${hash.digest('hex')}` } : {}),
      });
    }
  } finally {
    tar.destroy();
    await feeding;
  }
  return entries;
}
