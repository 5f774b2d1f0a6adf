// Deleting an image as skopeo does: the image record (all its names) and its big data, then
// each of its layers, top down, that no other image or layer still uses. Refused while a
// container uses the image.
import { rm } from 'node:fs/promises';
import { SkopeoError } from '@skopeo-ts/core';
import type { ParsedStorageReference } from './reference-text.js';
import { requireImage } from './store/lookup.js';
import { readRecords } from './store/records.js';
import type { Store } from './store/store.js';

export async function deleteImage(
  store: Store,
  parsed: ParsedStorageReference,
  label: string,
  signal?: AbortSignal,
) {
  await store.requireExisting(label);
  await store.withLayers(
    'write',
    async (layers, saveLayers) => {
      const image = await store.withImages(
        'write',
        async (images, saveImages) => {
          const found = requireImage(images, parsed, label);
          const containers = await readRecords<{ id: string; image?: string }>(store.containersJson);
          const user = containers.find((container) => container.image === found.id);
          if (user !== undefined) {
            throw new SkopeoError(
              'CONFLICT',
              `${label}: image ${found.id} is in use by container ${user.id}`,
              {
                hint: 'remove the container first (podman rm)',
              },
            );
          }
          await saveImages(images.filter((candidate) => candidate.id !== found.id));
          await rm(store.imageDir(found.id), { recursive: true, force: true });
          return { removed: found, remaining: images.filter((candidate) => candidate.id !== found.id) };
        },
        signal,
      );
      const usedTops = new Set(image.remaining.map((other) => other.layer));
      let remaining = layers;
      let id = image.removed.layer;
      while (id !== undefined && id !== '') {
        const layer = remaining.find((record) => record.id === id);
        if (layer === undefined || usedTops.has(id) || remaining.some((record) => record.parent === id))
          break;
        await store.removeLayerFiles(id);
        remaining = remaining.filter((record) => record.id !== id);
        id = layer.parent;
      }
      if (remaining.length !== layers.length) await saveLayers(remaining);
    },
    signal,
  );
}
