// One 512-byte tar header block, decoded with the rules of Go's archive/tar reader (the fork
// tar-split uses): the same checksum test, format guess, numeric parsing (octal or base-256)
// and name prefix handling, so we accept, refuse and name members exactly as Go does.

import { TarSplitError } from './errors.js';

export const BLOCK_SIZE = 512;

export type TarFormat = 'v7' | 'ustar' | 'gnu' | 'star';

/** The fields of one header block, before PAX records or GNU long names are applied. */
export interface RawHeader {
  typeflag: number;
  name: Buffer;
  linkname: Buffer;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  uname: Buffer;
  gname: Buffer;
  devmajor: number;
  devminor: number;
  format: TarFormat;
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** Bytes up to the first NUL (Go's parseString). */
export function cString(bytes: Buffer): Buffer {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

function field(block: Buffer, start: number, length: number): Buffer {
  return block.subarray(start, start + length);
}

class NumericError extends Error {}

function trimSpacesAndNuls(bytes: Buffer): Buffer {
  let start = 0;
  let end = bytes.length;
  while (start < end && (bytes[start] === 0x20 || bytes[start] === 0)) start++;
  while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  return bytes.subarray(start, end);
}

function parseOctal(bytes: Buffer): number {
  const text = cString(trimSpacesAndNuls(bytes)).toString('latin1');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new NumericError(`not an octal number: ${JSON.stringify(text)}`);
  // Fields are at most 12 bytes: 8^12 is well inside a double's exact range.
  return Number.parseInt(text, 8);
}

/** Go's parseNumeric: base-256 when the high bit is set (two's complement), else octal. */
function parseNumeric(bytes: Buffer): number {
  const first = bytes[0];
  if (first === undefined || (first & 0x80) === 0) return parseOctal(bytes);
  const invert = (first & 0x40) !== 0 ? 0xff : 0;
  let value = 0n;
  for (let i = 0; i < bytes.length; i++) {
    let byte = bytes[i]! ^ invert;
    if (i === 0) byte &= 0x7f;
    if (value >> 56n > 0n) throw new NumericError('base-256 number overflows 64 bits');
    value = (value << 8n) | BigInt(byte);
  }
  if (value >> 63n > 0n) throw new NumericError('base-256 number overflows 64 bits');
  const signed = invert ? -value - 1n : value;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new NumericError(`base-256 number ${signed} is too large for this implementation`);
  }
  return Number(signed);
}

/** Unsigned and signed sums of the block with the checksum field read as spaces. */
function checksums(block: Buffer): [number, number] {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte < 0x80 ? byte : byte - 256;
  }
  return [unsigned, signed];
}

function guessFormat(block: Buffer): TarFormat {
  const magic = field(block, 257, 6).toString('latin1');
  const version = field(block, 263, 2).toString('latin1');
  const trailer = field(block, 508, 4).toString('latin1');
  if (magic === 'ustar\0' && trailer === 'tar\0') return 'star';
  if (magic === 'ustar\0') return 'ustar';
  if (magic === 'ustar ' && version === ' \0') return 'gnu';
  return 'v7';
}

function isAscii(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte === 0 || byte >= 0x80) return false;
  return true;
}

/** The name prefix the format carries (empty for v7 and real GNU headers). */
function namePrefix(block: Buffer, format: TarFormat): Buffer {
  switch (format) {
    case 'ustar':
      return cString(field(block, 345, 155));
    case 'star':
      parseNumeric(field(block, 476, 12));
      parseNumeric(field(block, 488, 12));
      return cString(field(block, 345, 131));
    case 'gnu': {
      // Go before 1.8 wrote a USTAR prefix into GNU headers: when atime/ctime do not parse, Go
      // reads that field as a prefix (if it is ASCII).
      try {
        if (block[345] !== 0) parseNumeric(field(block, 345, 12));
        if (block[357] !== 0) parseNumeric(field(block, 357, 12));
        return Buffer.alloc(0);
      } catch (error) {
        if (!(error instanceof NumericError)) throw error;
        const prefix = cString(field(block, 345, 155));
        return isAscii(prefix) ? prefix : Buffer.alloc(0);
      }
    }
    default:
      return Buffer.alloc(0);
  }
}

/**
 * Decodes a non-zero header block. `offset` (the block's position in the stream) only serves
 * error messages.
 */
export function parseHeader(block: Buffer, offset: number): RawHeader {
  const bad = (why: string, cause?: unknown) =>
    new TarSplitError('BAD_TAR', `invalid tar header at byte ${offset}: ${why}`, { cause });
  let stored: number;
  try {
    stored = parseOctal(field(block, 148, 8));
  } catch (error) {
    throw bad('the checksum field is not an octal number', error);
  }
  const [unsigned, signed] = checksums(block);
  if (stored !== unsigned && stored !== signed) {
    throw bad(
      `checksum mismatch (stored ${stored}, computed ${unsigned}); the stream is not a tar or is corrupt`,
    );
  }
  const format = guessFormat(block);
  try {
    const header: RawHeader = {
      typeflag: block[156]!,
      name: cString(field(block, 0, 100)),
      linkname: cString(field(block, 157, 100)),
      size: parseNumeric(field(block, 124, 12)),
      mode: parseNumeric(field(block, 100, 8)),
      uid: parseNumeric(field(block, 108, 8)),
      gid: parseNumeric(field(block, 116, 8)),
      mtime: parseNumeric(field(block, 136, 12)),
      uname: Buffer.alloc(0),
      gname: Buffer.alloc(0),
      devmajor: 0,
      devminor: 0,
      format,
    };
    if (format !== 'v7') {
      header.uname = cString(field(block, 265, 32));
      header.gname = cString(field(block, 297, 32));
      header.devmajor = parseNumeric(field(block, 329, 8));
      header.devminor = parseNumeric(field(block, 337, 8));
      const prefix = namePrefix(block, format);
      if (prefix.length > 0) header.name = Buffer.concat([prefix, Buffer.from('/'), header.name]);
    }
    return header;
  } catch (error) {
    if (error instanceof NumericError) throw bad(error.message, error);
    throw error;
  }
}
