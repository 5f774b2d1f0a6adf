// The two kinds of tar-split entries, as vbatts/tar-split's storage.Entry holds them.

/** `type` 2: raw archive bytes (headers, extension headers, padding, end blocks) copied verbatim. */
export interface SegmentEntry {
  type: 'segment';
  payload: Buffer;
  position: number;
}

/** `type` 1: one archive member whose content comes from the layer's files at reassembly. */
export interface FileEntry {
  type: 'file';
  /** The member name exactly as the archive has it (after PAX `path` / GNU long names), as bytes. */
  name: Buffer;
  /** Content size from the header; 0 for members with no content. */
  size: number;
  /** CRC-64/ISO of the content, big-endian; undefined (JSON null) when size is 0. */
  crc64: Buffer | undefined;
  position: number;
}

export type TarSplitEntry = SegmentEntry | FileEntry;

export const FILE_TYPE = 1;
export const SEGMENT_TYPE = 2;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The name as text when it is valid UTF-8 (tar-split's `name`), else undefined (`name_raw`). */
export function utf8Name(name: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(name);
  } catch {
    return undefined;
  }
}

/** A name for messages: UTF-8 where it decodes, \xNN for the other bytes. */
export function displayName(name: Uint8Array): string {
  const text = utf8Name(name);
  if (text !== undefined) return JSON.stringify(text);
  let out = '';
  for (const byte of name) {
    out +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${out}"`;
}
