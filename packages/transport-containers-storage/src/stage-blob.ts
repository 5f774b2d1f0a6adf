// Staging one incoming blob for a later commit, as it arrives (blobs arrive concurrently, in any
// order, before the image's layer IDs are known): a config as received; a layer decompressed to a
// tar (vfs, whose layers need their parent's tree), or unpacked right away into a diff directory
// in the driver's home (overlay: every layer's diff is independent, so layers unpack in parallel
// and commit only moves them into place). The digest and size are those of the blob as received.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressor, detectCompression, peekStream } from '@skopeo-ts/core';
import type { LayerDriver } from './drivers/driver.js';
import { Measure } from './measure.js';
import type { LayerContent } from './store/layer-writer.js';
import { compressionCode, unpackLayer } from './store/unpack-layer.js';

export interface StagedBlob {
  /** sha256 of the blob as received. */
  digest: string;
  size: number;
  /** The compression it was received with (a containers/storage code; 0 for configs). */
  compression: number;
  /** sha256 of the uncompressed layer (undefined for configs). */
  diffId: string | undefined;
  /** `raw`: the bytes as received (configs); else what fills a layer. */
  content: LayerContent | { kind: 'raw'; path: string };
}

/** Where a destination stages: files in `files` (a disk-backed temp dir), diffs in `diffs`. */
export interface StagingPlaces {
  files: string;
  /** A directory in the driver's home for unpacked diffs, when the driver allows it. */
  diffs: string | undefined;
}

export async function stageConfig(stream: Readable, path: string, signal?: AbortSignal): Promise<StagedBlob> {
  const measure = new Measure();
  await pipeline(stream, measure, createWriteStream(path, { mode: 0o600 }), signal ? { signal } : {});
  return {
    digest: measure.digest(),
    size: measure.size,
    compression: 0,
    diffId: undefined,
    content: { kind: 'raw', path },
  };
}

/** Stages a layer blob under `name` (unique in the destination); removes what it made on failure. */
export async function stageLayer(
  stream: Readable,
  places: StagingPlaces,
  driver: LayerDriver,
  name: string,
  signal?: AbortSignal,
): Promise<StagedBlob> {
  const received = new Measure();
  if (places.diffs !== undefined && driver.stagedUnpackOptions !== undefined) {
    const diffDir = join(places.diffs, name);
    const tarSplitPath = join(places.files, `${name}.tar-split.gz`);
    try {
      await mkdir(diffDir, { mode: 0o755 });
      const unpacked = await unpackLayer(stream, driver.stagedUnpackOptions(diffDir), tarSplitPath, {
        signal,
        received,
      });
      return {
        digest: received.digest(),
        size: received.size,
        compression: unpacked.compression,
        diffId: unpacked.diffId,
        content: { kind: 'unpacked', diffDir, tarSplitPath, unpacked },
      };
    } catch (error) {
      await rm(diffDir, { recursive: true, force: true });
      await rm(tarSplitPath, { force: true });
      throw error;
    }
  }
  const path = join(places.files, `${name}.tar`);
  try {
    const algorithm = detectCompression(await peekStream(stream, 6));
    const inflate = algorithm === 'none' ? new PassThrough() : decompressor(algorithm);
    const uncompressed = new Measure();
    await pipeline(
      stream,
      received,
      inflate,
      uncompressed,
      createWriteStream(path, { mode: 0o600 }),
      signal ? { signal } : {},
    );
    return {
      digest: received.digest(),
      size: received.size,
      compression: compressionCode(algorithm),
      diffId: uncompressed.digest(),
      content: { kind: 'tar', path },
    };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}
