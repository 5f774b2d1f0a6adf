// A stored layer's original tar, rebuilt from its tar-split and the driver's files.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { SkopeoError } from '@skopeo-ts/core';
import { assembleTar, readTarSplit } from '@skopeo-ts/tar-split';
import type { LayerRecord } from './records.js';
import type { Store } from './store.js';

/** The layer's uncompressed tar, byte for byte as it was stored. `label` names it in errors. */
export async function layerTar(store: Store, layer: LayerRecord, label: string): Promise<Readable> {
  const open = await store.driver.opener(layer.id);
  const tarSplit = createReadStream(store.tarSplitPath(layer.id));
  await new Promise<void>((resolve, reject) => {
    tarSplit.once('open', () => resolve());
    tarSplit.once('error', (error) =>
      reject(
        new SkopeoError('CORRUPT', `${label}: layer ${layer.id} has no tar-split (${error.message})`, {
          hint: 'layers committed from containers have none; copy the image with podman push instead',
        }),
      ),
    );
  });
  const stream = assembleTar(readTarSplit(tarSplit), open);
  stream.once('close', () => tarSplit.destroy());
  return stream;
}
