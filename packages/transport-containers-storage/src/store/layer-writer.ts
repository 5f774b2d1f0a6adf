// Creating one layer from a staged blob, holding layers.lock the whole time as
// containers/storage does: the record goes in first flagged `incomplete`, then the driver
// directory is filled by untarring while tar-split is generated, then the record is completed.
// On failure everything is removed; after a kill -9 the next writer removes it (store.ts).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  DigestMismatchError,
  decompressor,
  detectCompression,
  peekStream,
  SkopeoError,
} from '@skopeo-ts/core';
import { TarSplitGenerator } from '@skopeo-ts/tar-split';
import { LayerUnpacker } from '../untar/unpacker.js';
import { goTime } from './go-json.js';
import type { LayerRecord } from './records.js';
import type { Store } from './store.js';

export interface StagedLayer {
  id: string;
  parent: string | undefined;
  /** The blob as received (possibly compressed). */
  path: string;
  digest: string;
  size: number;
  /** The DiffID the config promises; the untarred stream must hash to it. */
  expectedDiffId: string;
}

const COMPRESSION_CODES: Readonly<Record<string, number>> = { none: 0, bzip2: 1, gzip: 2, xz: 3, zstd: 4 };

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

/** Creates the layer unless it exists; returns its record. */
export async function createLayer(
  store: Store,
  staged: StagedLayer,
  signal?: AbortSignal,
): Promise<LayerRecord> {
  return store.withLayers(
    'write',
    async (records, save) => {
      const existing = records.find((record) => record.id === staged.id);
      if (existing !== undefined) return existing;
      if (staged.parent !== undefined && !records.some((record) => record.id === staged.parent)) {
        throw new SkopeoError(
          'CONFLICT',
          `${store.label}: parent layer ${staged.parent} disappeared while writing`,
        );
      }
      const record: LayerRecord = {
        id: staged.id,
        ...(staged.parent === undefined ? {} : { parent: staged.parent }),
        created: goTime(new Date()),
        flags: { incomplete: true },
      };
      await save([...records, record]);
      try {
        const done = await fillLayer(store, staged, signal);
        const finished: LayerRecord = {
          id: staged.id,
          ...(staged.parent === undefined ? {} : { parent: staged.parent }),
          created: record.created,
          'compressed-diff-digest': staged.digest,
          'compressed-size': staged.size,
          'diff-digest': done.diffId,
          'diff-size': done.diffSize,
          ...(done.compression === 0 ? {} : { compression: done.compression }),
          uidset: done.uids,
          gidset: done.gids,
        };
        await save([...records, finished]);
        return finished;
      } catch (error) {
        await store.removeLayerFiles(staged.id);
        await save(records);
        throw error;
      }
    },
    signal,
  );
}

interface FilledLayer {
  diffId: string;
  diffSize: number;
  compression: number;
  uids: number[];
  gids: number[];
}

async function fillLayer(store: Store, staged: StagedLayer, signal?: AbortSignal): Promise<FilledLayer> {
  const unpackOptions = await store.driver.create(staged.id, staged.parent);
  const unpacker = new LayerUnpacker(unpackOptions);
  const source = createReadStream(staged.path, { highWaterMark: 1024 * 1024 });
  const head = await peekStream(source, 6);
  const algorithm = detectCompression(head);
  const inflate = algorithm === 'none' ? new PassThrough() : decompressor(algorithm);

  const splitPath = store.tarSplitPath(staged.id);
  const splitTemp = `${splitPath}.${process.pid}.tmp`;
  const gzip = createGzip({ level: 1 });
  const lines = new PassThrough();
  const storedSplit = pipeline(lines, gzip, createWriteStream(splitTemp, { mode: 0o600 }));
  const generator = new TarSplitGenerator({ output: lines, onMember: (member) => unpacker.apply(member) });
  const hash = new HashSink();
  // The tar's own failure (a refused member, a bad tar) is the one to report: the tar-split
  // output then only says "premature close".
  const [unpacked, stored] = await Promise.allSettled([
    pipeline(source, inflate, generator, hash, { signal }),
    storedSplit,
  ]);
  const failure =
    unpacked.status === 'rejected' ? unpacked : stored.status === 'rejected' ? stored : undefined;
  if (failure !== undefined) {
    await rm(splitTemp, { force: true });
    throw failure.reason;
  }
  await unpacker.finish();
  const diffId = hash.digest();
  if (diffId !== staged.expectedDiffId) {
    await rm(splitTemp, { force: true });
    throw new DigestMismatchError(`layer ${staged.digest} (uncompressed)`, staged.expectedDiffId, diffId);
  }
  await rename(splitTemp, splitPath);
  return {
    diffId,
    diffSize: hash.size,
    compression: COMPRESSION_CODES[algorithm] ?? 0,
    uids: [...unpacker.uids].sort((a, b) => a - b),
    gids: [...unpacker.gids].sort((a, b) => a - b),
  };
}
