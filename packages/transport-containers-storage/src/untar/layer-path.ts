// Paths of layer members, kept as "byte strings" (each byte one latin1 character) so names that
// are not UTF-8 land on disk with their exact bytes; fs calls get Buffers.
import { SkopeoError } from '@skopeo-ts/core';

export type BytePath = string;

export function toFsPath(path: BytePath): Buffer {
  return Buffer.from(path, 'latin1');
}

/** For APIs that only take strings (xattrs, mknod): exact for UTF-8 names. */
export function toTextPath(path: BytePath): string {
  return Buffer.from(path, 'latin1').toString('utf8');
}

export function bytePath(bytes: Uint8Array): BytePath {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export class UnsafeLayerError extends SkopeoError {
  constructor(message: string) {
    super('CORRUPT', message, { hint: 'the layer tries to write outside its own tree; it was not stored' });
    this.name = 'UnsafeLayerError';
  }
}

/**
 * The member's path relative to the layer root, cleaned as Go's filepath.Clean: '' for the root
 * itself. A leading "/" is dropped (tar members are relative); any `..` that climbs above the
 * root is refused, as containers/storage refuses a "breakout".
 */
export function memberPath(name: BytePath, what = 'member'): BytePath {
  const kept: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (kept.length === 0) {
        throw new UnsafeLayerError(`layer ${what} "${toTextPath(name)}" climbs out of the layer with ".."`);
      }
      kept.pop();
      continue;
    }
    kept.push(part);
  }
  return kept.join('/');
}

export function parentOf(path: BytePath): BytePath {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function baseOf(path: BytePath): BytePath {
  return path.slice(path.lastIndexOf('/') + 1);
}
