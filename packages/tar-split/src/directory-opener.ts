// A FileOpener over a plain directory tree (a vfs layer, an OSTree checkout): names are
// resolved lexically inside the root, so a hostile tar-split cannot reach outside it with `..`,
// and only regular files are read (a symlink in the last component is refused, not followed).

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileOpener } from './assemble.js';
import { cleanPath } from './clean-path.js';
import { displayName } from './entry.js';
import { TarSplitError } from './errors.js';

/** Opens `ROOT/<name>` for each file entry (raw name bytes, so non-UTF-8 names work). */
export function directoryOpener(root: string): FileOpener {
  const rootBytes = Buffer.from(root.endsWith('/') ? root : `${root}/`, 'utf8');
  return async (entry) => {
    // Rooted clean drops every `..` that would climb above the root.
    const inside = cleanPath(`/${entry.name.toString('latin1')}`).slice(1);
    const path = Buffer.concat([rootBytes, Buffer.from(inside, 'latin1')]);
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new TarSplitError(
        'INTEGRITY',
        `file integrity checksum failed for ${displayName(entry.name)}: it is not a regular file in ${root}`,
      );
    }
    return { stream: handle.createReadStream({ highWaterMark: 256 * 1024 }), size: info.size };
  };
}
