// Deleting an image from a layout, as current skopeo: the index.json entry goes, and so do the
// blobs that no remaining entry needs. Done under the layout lock, and in the safe order: index.json
// first (atomically), then the blobs, so a crash leaves unreferenced blobs, never a broken entry.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '@skopeo-ts/core';
import { reachableBlobs } from './layout/gc.js';
import {
  type EntrySelector,
  readExistingIndex,
  selectEntry,
  withoutEntry,
  writeIndexFile,
} from './layout/index-json.js';
import { withLayoutLock } from './layout/lock.js';
import { BLOBS_DIR, blobPath } from './layout/paths.js';
import type { LayoutLocation } from './source.js';

export interface DeleteResult {
  /** Blob files removed. */
  removed: string[];
}

export async function deleteFromLayout(
  location: LayoutLocation,
  selector: EntrySelector,
  ctx: Context,
): Promise<DeleteResult> {
  const { dir, store, label } = location;
  await readExistingIndex(dir, label); // a missing layout is NOT_FOUND, not a failure to lock
  return withLayoutLock(
    dir,
    async () => {
      const index = await readExistingIndex(dir, label);
      const { descriptor, position } = selectEntry(index, selector, label);
      const remaining = withoutEntry(index, position);
      const doomed = await reachableBlobs(store, [descriptor]);
      const kept = await reachableBlobs(store, remaining.manifests);
      await writeIndexFile(dir, remaining);
      if (kept.unreadable.length > 0) {
        // Some remaining entry's manifest cannot be read, so what it needs is unknown: keep all.
        ctx.debug?.(`${label}: kept every blob, manifests ${kept.unreadable.join(', ')} are unreadable`);
        return { removed: [] };
      }
      // Only the layout's own blobs/: other layouts may use a shared blob directory (as skopeo).
      const root = join(dir, BLOBS_DIR);
      const removed: string[] = [];
      for (const digest of doomed.digests) {
        if (kept.digests.has(digest)) continue;
        const path = blobPath(root, digest);
        await rm(path, { force: true });
        removed.push(path);
      }
      return { removed };
    },
    { signal: ctx.signal, debug: ctx.debug },
  );
}
