// Layer blobs written straight to disk: tar → sha256 (diffID) → gzip → sha256 (digest) → file,
// all in one streaming pass, so a 400 MB layer never sits in memory and is read only once.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type Pack, pack as createPack } from 'tar-stream';
import { digestHex, HashingStream } from './digest.js';
import {
  DEFAULT_HEADER,
  type PackDirectoryOptions,
  packDirectory,
  packEntries,
  type TarEntrySpec,
  type TarHeaderDefaults,
} from './tar.js';

export type LayerCompression = 'gzip' | 'none';

export const LAYER_MEDIA_TYPES: Readonly<Record<LayerCompression, string>> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

/** A layer blob on disk, named by its digest. */
export interface LayerBlob {
  /** Digest of the blob as stored (compressed when gzip). */
  digest: string;
  /** Size of the blob as stored. */
  size: number;
  /** Digest of the uncompressed tar: the config's `rootfs.diff_ids` entry. */
  diffId: string;
  /** Size of the uncompressed tar. */
  uncompressedSize: number;
  compression: LayerCompression;
  mediaType: string;
  /** Absolute path of the blob file (`<outDir>/<hex>`). */
  path: string;
}

export interface LayerWriteOptions {
  /** Default gzip. */
  compression?: LayerCompression;
  /** zlib level 0–9 (default 6, zlib's own default; 1 is about 3× faster for big layers). */
  gzipLevel?: number;
}

/**
 * Streams the tar that `fill` writes into `<outDir>/<hex of digest>`, hashing on the way.
 * `fill` must not call `finalize()`; this does.
 */
export async function writeLayerBlob(
  outDir: string,
  fill: (pack: Pack) => Promise<void>,
  options: LayerWriteOptions = {},
): Promise<LayerBlob> {
  const compression = options.compression ?? 'gzip';
  await mkdir(outDir, { recursive: true });
  const tmpPath = join(outDir, `.tmp-layer-${randomUUID()}`);
  const pack = createPack();
  const tarHash = new HashingStream();
  const blobHash = compression === 'gzip' ? new HashingStream() : tarHash;
  const stages: Transform[] =
    compression === 'gzip' ? [tarHash, createGzip({ level: options.gzipLevel ?? 6 }), blobHash] : [tarHash];
  const written = pipeline([
    Readable.from(pack, { objectMode: false }),
    ...stages,
    createWriteStream(tmpPath),
  ]);
  const filled = (async () => {
    try {
      await fill(pack);
      pack.finalize();
    } catch (error) {
      pack.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  })();
  const [fillResult, writeResult] = await Promise.allSettled([filled, written]);
  try {
    // A write failure (disk full) also fails fill() with a vaguer error: report the write's.
    if (writeResult.status === 'rejected') throw writeResult.reason;
    if (fillResult.status === 'rejected') throw fillResult.reason;
    const digest = blobHash.digest();
    const path = join(outDir, digestHex(digest));
    await rename(tmpPath, path);
    return {
      digest,
      size: blobHash.size,
      diffId: compression === 'gzip' ? tarHash.digest() : digest,
      uncompressedSize: tarHash.size,
      compression,
      mediaType: LAYER_MEDIA_TYPES[compression],
      path,
    };
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw error;
  }
}

/** A layer made of generated entries (see {@link TarEntrySpec}). */
export function layerFromEntries(
  outDir: string,
  entries: readonly TarEntrySpec[],
  options: LayerWriteOptions & { header?: TarHeaderDefaults } = {},
): Promise<LayerBlob> {
  return writeLayerBlob(
    outDir,
    (pack) => packEntries(pack, entries, options.header ?? DEFAULT_HEADER),
    options,
  );
}

export interface DirectoryLayerOptions extends LayerWriteOptions, PackDirectoryOptions {
  /** Where the blob file goes (named by its hex digest), e.g. `<layout>/blobs/sha256`. */
  outDir: string;
}

/** Tars a real directory tree into a layer blob, streaming from disk to disk. */
export function layerFromDirectory(sourceDir: string, options: DirectoryLayerOptions): Promise<LayerBlob> {
  return writeLayerBlob(options.outDir, (pack) => packDirectory(pack, sourceDir, options), options);
}
