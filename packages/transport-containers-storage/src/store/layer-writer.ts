// Creating one layer, holding layers.lock the whole time as containers/storage does: the record
// goes in first flagged `incomplete`, then the driver directory is filled (untarred now, or a
// diff unpacked while the blob arrived moved into place) with its tar-split, then the record is
// completed. On failure everything is removed; after a kill -9 the next writer removes it.
import { createReadStream } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { DigestMismatchError, SkopeoError } from '@skopeo-ts/core';
import { goTime } from './go-json.js';
import type { LayerRecord } from './records.js';
import type { Store } from './store.js';
import { type UnpackedLayer, unpackLayer } from './unpack-layer.js';

/** What fills the layer: a staged tar to untar now, or a diff directory already unpacked. */
export type LayerContent =
  | { kind: 'tar'; path: string }
  | { kind: 'unpacked'; diffDir: string; tarSplitPath: string; unpacked: UnpackedLayer };

export interface NewLayer {
  id: string;
  parent: string | undefined;
  /** The blob as it was received (possibly compressed): layers.json's compressed digest and size. */
  digest: string;
  size: number;
  /** The compression the blob was received with (a containers/storage code). */
  compression: number;
  /** The DiffID the config promises; the untarred stream must hash to it. */
  expectedDiffId: string;
  content: LayerContent;
}

/** Creates the layer unless it exists; returns its record. */
export async function createLayer(store: Store, layer: NewLayer, signal?: AbortSignal): Promise<LayerRecord> {
  return store.withLayers(
    'write',
    async (records, save) => {
      const existing = records.find((record) => record.id === layer.id);
      if (existing !== undefined) return existing;
      if (layer.parent !== undefined && !records.some((record) => record.id === layer.parent)) {
        throw new SkopeoError(
          'CONFLICT',
          `${store.label}: parent layer ${layer.parent} disappeared while writing`,
        );
      }
      const record: LayerRecord = {
        id: layer.id,
        ...(layer.parent === undefined ? {} : { parent: layer.parent }),
        created: goTime(new Date()),
        flags: { incomplete: true },
      };
      await save([...records, record]);
      try {
        const done = await fillLayer(store, layer, signal);
        const finished: LayerRecord = {
          id: layer.id,
          ...(layer.parent === undefined ? {} : { parent: layer.parent }),
          created: record.created,
          'compressed-diff-digest': layer.digest,
          'compressed-size': layer.size,
          'diff-digest': done.diffId,
          'diff-size': done.diffSize,
          ...(layer.compression === 0 ? {} : { compression: layer.compression }),
          uidset: done.uids,
          gidset: done.gids,
        };
        await save([...records, finished]);
        return finished;
      } catch (error) {
        await store.removeLayerFiles(layer.id);
        await save(records);
        throw error;
      }
    },
    signal,
  );
}

async function fillLayer(store: Store, layer: NewLayer, signal?: AbortSignal): Promise<UnpackedLayer> {
  const { content } = layer;
  const splitPath = store.tarSplitPath(layer.id);
  const splitTemp = `${splitPath}.${process.pid}.tmp`;
  try {
    let unpacked: UnpackedLayer;
    if (content.kind === 'tar') {
      const unpack = await store.driver.create(layer.id, layer.parent);
      const source = createReadStream(content.path, { highWaterMark: 1024 * 1024 });
      unpacked = await unpackLayer(source, unpack, splitTemp, { signal });
    } else {
      unpacked = content.unpacked;
      await store.driver.create(layer.id, layer.parent, content.diffDir);
      await moveFile(content.tarSplitPath, splitTemp);
    }
    if (unpacked.diffId !== layer.expectedDiffId) {
      throw new DigestMismatchError(
        `layer ${layer.digest} (uncompressed)`,
        layer.expectedDiffId,
        unpacked.diffId,
      );
    }
    await rename(splitTemp, splitPath);
    return unpacked;
  } catch (error) {
    await rm(splitTemp, { force: true });
    throw error;
  }
}

/** rename, or a copy when the two paths are on different mounts (staging in /var/tmp). */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}
