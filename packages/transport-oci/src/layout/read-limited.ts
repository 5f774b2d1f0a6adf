// Reads a small file whole (index.json, manifests) with a size cap, so a huge or hostile file is
// refused before it is loaded.
import { open } from 'node:fs/promises';
import { ManifestTooLargeError } from '@skopeo-ts/core';

/** Raw fs errors pass through (callers map ENOENT); an oversized file is a ManifestTooLargeError. */
export async function readFileLimited(path: string, limit: number, what: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > limit) throw new ManifestTooLargeError(what, size, limit);
    // Read one byte more than the cap: a file that grew since stat() is still caught.
    const buffer = Buffer.alloc(Math.min(size, limit) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > limit) throw new ManifestTooLargeError(what, length, limit);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
