// Decodes one 512-byte tar header block (ustar, GNU and pax forms), without reading any body:
// the index needs names, types, sizes and link targets only.
export const BLOCK_SIZE = 512;

export type RawEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'link'
  | 'pax'
  | 'pax-global'
  | 'gnu-long-name'
  | 'gnu-long-link'
  | 'device'
  | 'fifo'
  | 'other';

export interface RawHeader {
  name: string;
  linkname: string;
  size: number;
  type: RawEntryType;
  /** The typeflag character, for error messages. */
  typeflag: string;
}

/** Why a block is not a header; undefined when it decodes. */
export type HeaderResult = { header: RawHeader } | { end: true } | { problem: string };

const TYPES: Readonly<Record<string, RawEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: an ordinary file to every reader
  '1': 'link',
  '2': 'symlink',
  '3': 'device',
  '4': 'device',
  '5': 'directory',
  '6': 'fifo',
  x: 'pax',
  g: 'pax-global',
  L: 'gnu-long-name',
  K: 'gnu-long-link',
};

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}

/** A numeric field: octal text, or GNU base-256 when the high bit is set. */
function numeric(block: Buffer, start: number, length: number): number | undefined {
  const field = block.subarray(start, start + length);
  const first = field[0] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) return undefined; // negative
    let value = first & 0x7f;
    for (const byte of field.subarray(1)) {
      value = value * 256 + byte;
      if (!Number.isSafeInteger(value)) return undefined;
    }
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  const value = Number.parseInt(text, 8);
  return Number.isSafeInteger(value) ? value : undefined;
}

function checksumMatches(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

export function decodeHeader(block: Buffer): HeaderResult {
  if (block.every((byte) => byte === 0)) return { end: true };
  if (!checksumMatches(block))
    return { problem: 'a tar header has a bad checksum (this is not a tar file, or it is damaged)' };
  const size = numeric(block, 124, 12);
  if (size === undefined) return { problem: 'a tar header has an unreadable size field' };
  const typeflag = String.fromCharCode(block[156] ?? 0);
  let name = cString(block, 0, 100);
  // POSIX ustar splits long names into prefix + name; GNU's "ustar  " uses those bytes otherwise.
  const magic = block.subarray(257, 263).toString('latin1');
  if (magic === 'ustar\0') {
    const prefix = cString(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  return {
    header: { name, linkname: cString(block, 157, 100), size, type: TYPES[typeflag] ?? 'other', typeflag },
  };
}

/** The records of a pax extended header ("LEN key=value\n"...). */
export function parsePaxRecords(data: Buffer): Map<string, string> | undefined {
  const records = new Map<string, string>();
  let position = 0;
  while (position < data.length) {
    if (data[position] === 0) break; // padding
    const space = data.indexOf(0x20, position);
    if (space < 0) return undefined;
    const length = Number.parseInt(data.subarray(position, space).toString('latin1'), 10);
    if (!Number.isSafeInteger(length) || length <= space - position || position + length > data.length)
      return undefined;
    const record = data.subarray(space + 1, position + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals < 0) return undefined;
    records.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }
  return records;
}
