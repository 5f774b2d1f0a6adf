// A FileOpener over plain directory trees (a vfs layer, an overlay diff and its lowers, an OSTree
// checkout): names are resolved lexically inside each root, so a hostile tar-split cannot reach
// outside it with `..`, and only regular files are read (a symlink in the last component is
// refused, not followed).
//
// Files are opened with blocking calls: a layer has thousands of small files, and a thread-pool
// round trip per open and stat cost more than the calls themselves (the pool is also busy
// compressing). The descriptor is handed over as `fd`, for the assembler to read directly.

import { closeSync, constants, createReadStream, fstatSync, openSync, type ReadStream } from 'node:fs';
import type { FileOpener, OpenedFile } from './assemble.js';
import { pathInsideRoot } from './clean-name.js';
import { displayName, type FileEntry } from './entry.js';
import { TarSplitError } from './errors.js';

// O_NONBLOCK so that a FIFO where a file should be is refused at once (by the check below), not
// waited on with the event loop blocked; it changes nothing for reading regular files.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** An open regular file; `stream` is made on first use only (the assembler reads `fd`). */
class OpenedDescriptor implements OpenedFile {
  #stream: ReadStream | undefined;

  constructor(
    readonly fd: number,
    readonly size: number,
  ) {}

  get stream(): ReadStream {
    this.#stream ??= createReadStream('', { fd: this.fd, highWaterMark: 256 * 1024 });
    return this.#stream;
  }
}

function openIn(root: string, rootBytes: Buffer, inside: Buffer, entry: FileEntry): OpenedDescriptor {
  const fd = openSync(Buffer.concat([rootBytes, inside]), OPEN_FLAGS);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) {
      throw new TarSplitError(
        'INTEGRITY',
        `file integrity checksum failed for ${displayName(entry.name)}: it is not a regular file in ${root}`,
      );
    }
    return new OpenedDescriptor(fd, info.size);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Opens `ROOT/<name>` for each file entry (raw name bytes, so non-UTF-8 names work). With several
 * roots (an overlay layer's diff, then its lowers nearest first), the first that has the name.
 */
export function directoryOpener(root: string | readonly string[]): FileOpener {
  const roots = (typeof root === 'string' ? [root] : [...root]).map((dir) => ({
    dir,
    bytes: Buffer.from(dir.endsWith('/') ? dir : `${dir}/`, 'utf8'),
  }));
  // Async so that a missing file is a rejection, as before, though nothing inside waits.
  return async (entry) => {
    const inside = pathInsideRoot(entry.name);
    let firstError: unknown;
    for (const { dir, bytes } of roots) {
      try {
        return openIn(dir, bytes, inside, entry);
      } catch (error) {
        if (!isMissing(error)) throw error;
        firstError ??= error;
      }
    }
    throw firstError ?? new Error('directoryOpener: no root directory');
  };
}
