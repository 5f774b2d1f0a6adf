// What a caller learns about each archive member tar-split records as a file entry: the header
// as Go's archive/tar returns it (PAX records and GNU long names applied).

import type { Readable } from 'node:stream';
import type { PaxOverrides, PaxRecords } from './pax.js';
import type { RawHeader, TarFormat } from './tar-header.js';

/** Type flags (Go's tar.Type* constants). */
export const TYPEFLAG = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
  contiguous: '7',
  paxGlobal: 'g',
} as const;

// Types whose header carries no content, whatever its size field says.
const HEADER_ONLY = new Set<string>(['1', '2', '3', '4', '5', '6']);

export function isHeaderOnly(typeflag: string): boolean {
  return HEADER_ONLY.has(typeflag);
}

export interface TarMemberHeader {
  /** The name as text (bytes that are not UTF-8 become U+FFFD: use `nameBytes` to open files). */
  name: string;
  nameBytes: Buffer;
  /**
   * One character, as Go reports it: '0' file, '1' hard link, '2' symlink, '3' char device,
   * '4' block device, '5' directory, '6' fifo, 'g' a PAX global header (tar-split records it as
   * a file entry of size 0; extractors skip it), or whatever else the archive has.
   */
  typeflag: string;
  /** The header's size (PAX `size` applied). Header-only types (links, devices, dirs) have no content whatever it says. */
  size: number;
  linkname: string;
  linknameBytes: Buffer;
  /** Permission and mode bits as stored (e.g. 0o100644 or 0o755). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: Date;
  devmajor: number;
  devminor: number;
  /** Extended attributes from `SCHILY.xattr.*` records. */
  xattrs: Map<string, Buffer>;
  /** Every PAX record that applied to this member (times with nanoseconds, and so on). */
  paxRecords: PaxRecords;
  format: TarFormat;
}

export interface TarMember extends TarMemberHeader {
  /** The member's content (empty for header-only types). Read it, pipe it, or leave it: unread content is discarded once your handler settles. */
  content: Readable;
}

/** The header Go's reader returns for a member, from its block, PAX records and GNU long names. */
export function memberHeader(
  raw: RawHeader,
  records: PaxRecords,
  overrides: PaxOverrides,
  longName: Buffer | undefined,
  longLink: Buffer | undefined,
): TarMemberHeader {
  const nameBytes = longName ?? overrides.name ?? raw.name;
  const linknameBytes = longLink ?? overrides.linkname ?? raw.linkname;
  let typeflag = String.fromCharCode(raw.typeflag);
  // Go turns the legacy '\0' type into a file, or a directory when the name ends in '/'.
  if (typeflag === '\0') typeflag = nameBytes[nameBytes.length - 1] === 0x2f ? '5' : '0';
  return {
    name: nameBytes.toString('utf8'),
    nameBytes,
    typeflag,
    size: overrides.size ?? raw.size,
    linkname: linknameBytes.toString('utf8'),
    linknameBytes,
    mode: raw.mode,
    uid: overrides.uid ?? raw.uid,
    gid: overrides.gid ?? raw.gid,
    uname: (overrides.uname ?? raw.uname).toString('utf8'),
    gname: (overrides.gname ?? raw.gname).toString('utf8'),
    mtime: new Date(overrides.mtimeMs ?? raw.mtime * 1000),
    devmajor: raw.devmajor,
    devminor: raw.devminor,
    xattrs: overrides.xattrs,
    paxRecords: records,
    format: raw.format,
  };
}
