// Untarring one layer stream (any compression) into a driver directory while generating its
// tar-split, as containers/storage's ApplyDiff does: the DiffID and size of the uncompressed tar,
// the compression it came with, and the owners its files have.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { PassThrough, type Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { decompressor, detectCompression, peekStream } from '@skopeo-ts/core';
import { TarSplitGenerator } from '@skopeo-ts/tar-split';
import { LayerUnpacker, type UnpackOptions } from '../untar/unpacker.js';

/** containers/storage's numbers for the compression a layer came with (layers.json `compression`). */
const COMPRESSION_CODES: Readonly<Record<string, number>> = { none: 0, bzip2: 1, gzip: 2, xz: 3, zstd: 4 };

export function compressionCode(algorithm: string): number {
  return COMPRESSION_CODES[algorithm] ?? 0;
}

export interface UnpackedLayer {
  diffId: string;
  diffSize: number;
  /** The compression the stream had (a containers/storage code). */
  compression: number;
  uids: number[];
  gids: number[];
}

class HashSink extends Writable {
  private readonly hash = createHash('sha256');
  size = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback();
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/**
 * Untars `source` into `unpack.root` and writes its tar-split (gzip) to `tarSplitPath`. On
 * failure the caller removes both; the tar's own failure (a refused member, a bad tar) is the one
 * reported, not the tar-split writer's "premature close" that follows it.
 */
export async function unpackLayer(
  source: Readable,
  unpack: UnpackOptions,
  tarSplitPath: string,
  options: {
    signal?: AbortSignal | undefined;
    /** A pass-through the stream goes through first, as it arrives (to hash the blob as received). */
    received?: Transform;
  } = {},
): Promise<UnpackedLayer> {
  const { signal, received } = options;
  const unpacker = new LayerUnpacker(unpack);
  const algorithm = detectCompression(await peekStream(source, 6));
  const inflate = algorithm === 'none' ? new PassThrough() : decompressor(algorithm);
  const lines = new PassThrough();
  const storedSplit = pipeline(
    lines,
    createGzip({ level: 1 }),
    createWriteStream(tarSplitPath, { mode: 0o600 }),
  );
  const generator = new TarSplitGenerator({ output: lines, onMember: (member) => unpacker.apply(member) });
  const hash = new HashSink();
  const unpacking = pipeline(
    [source, ...(received ? [received] : []), inflate, generator, hash],
    signal ? { signal } : {},
  ).catch((error: unknown) => {
    // The generator does not end its output when the tar fails: stop the tar-split writer too.
    lines.destroy();
    throw error;
  });
  const [unpacked, stored] = await Promise.allSettled([unpacking, storedSplit]);
  if (unpacked.status === 'rejected') throw unpacked.reason;
  if (stored.status === 'rejected') throw stored.reason;
  await unpacker.finish();
  return {
    diffId: hash.digest(),
    diffSize: hash.size,
    compression: compressionCode(algorithm),
    uids: [...unpacker.uids].sort((a, b) => a - b),
    gids: [...unpacker.gids].sort((a, b) => a - b),
  };
}
