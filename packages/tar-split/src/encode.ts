// Writing tar-split JSON lines byte-identical to Go's json.Encoder over storage.Entry:
// keys in struct order (type, name, name_raw, size, payload, position), `name` omitted when
// empty or not UTF-8 (then `name_raw` carries the bytes), `size` omitted when 0, `payload`
// base64 or null, one `\n`-terminated line per entry.

import { duplicateKey } from './clean-path.js';
import { displayName, FILE_TYPE, SEGMENT_TYPE, utf8Name } from './entry.js';
import { TarSplitError } from './errors.js';
import { goJsonString } from './go-json.js';

/** One file entry's JSON line. */
export function fileEntryLine(
  name: Uint8Array,
  size: number,
  crc: Uint8Array | undefined,
  position: number,
): string {
  let line = `{"type":${FILE_TYPE}`;
  if (name.length > 0) {
    const text = utf8Name(name);
    line +=
      text === undefined
        ? `,"name_raw":"${Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('base64')}"`
        : `,"name":${goJsonString(text)}`;
  }
  if (size !== 0) line += `,"size":${size}`;
  line += `,"payload":${crc === undefined ? 'null' : `"${Buffer.from(crc).toString('base64')}"`}`;
  return `${line},"position":${position}}\n`;
}

/** One segment entry's JSON line. */
export function segmentEntryLine(payload: Uint8Array, position: number): string {
  const base64 = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64');
  return `{"type":${SEGMENT_TYPE},"payload":"${base64}","position":${position}}\n`;
}

/**
 * Numbers entries and refuses duplicate paths, as Go's JSON packer does; returns the lines to
 * write.
 */
export class TarSplitPacker {
  #position = 0;
  readonly #seen = new Set<string>();

  get entryCount(): number {
    return this.#position;
  }

  addSegment(payload: Uint8Array): string {
    return segmentEntryLine(payload, this.#position++);
  }

  /** Refuses a name whose cleaned path an earlier file entry already had (Go's ErrDuplicatePath). */
  claimName(name: Uint8Array): void {
    const key = duplicateKey(name);
    if (this.#seen.has(key)) throw duplicatePathError(name);
    this.#seen.add(key);
  }

  /** The line for a file entry whose name was claimed. */
  fileLine(name: Uint8Array, size: number, crc: Uint8Array | undefined): string {
    return fileEntryLine(name, size, crc, this.#position++);
  }
}

export function duplicatePathError(name: Uint8Array): TarSplitError {
  return new TarSplitError(
    'DUPLICATE_PATH',
    `duplicates of file paths not supported: the tar has ${displayName(name)} more than once ` +
      '(tar-split, and so containers-storage, cannot record such a layer)',
  );
}
