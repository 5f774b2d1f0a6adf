// PAX extended header records (`LEN key=value\n`), parsed with Go's archive/tar rules, and the
// way Go merges them into the header that follows.

import { TarSplitError } from './errors.js';
import { parseGoInt64, parsePaxTime } from './go-numbers.js';

/** Records by key (the last one wins, as in Go); values are raw bytes. */
export type PaxRecords = Map<string, Buffer>;

const XATTR_PREFIX = 'SCHILY.xattr.';
// Keys whose values must not contain NUL (for the others, the key must not).
const NAME_KEYS = new Set(['path', 'linkpath', 'uname', 'gname']);

export function parsePaxRecords(data: Buffer, offset: number): PaxRecords {
  const bad = (why: string) =>
    new TarSplitError('BAD_TAR', `invalid PAX extended header at byte ${offset}: ${why}`);
  const records: PaxRecords = new Map();
  let rest = data;
  while (rest.length > 0) {
    const space = rest.indexOf(0x20);
    if (space < 0) throw bad('a record has no length');
    const length = parseGoInt64(rest.subarray(0, space).toString('latin1'));
    if (length === undefined || length < 5n || BigInt(rest.length) < length)
      throw bad('a record length is wrong');
    const end = Number(length);
    if (space + 1 > end - 1 || rest[end - 1] !== 0x0a) throw bad('a record does not end in a newline');
    const record = rest.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d);
    if (equals <= 0) throw bad('a record has no key=value');
    const key = record.subarray(0, equals).toString('utf8');
    const value = record.subarray(equals + 1);
    const nulIn = NAME_KEYS.has(key) ? value : record.subarray(0, equals);
    if (nulIn.includes(0)) throw bad(`record ${JSON.stringify(key)} contains a NUL byte`);
    records.set(key, value);
    rest = rest.subarray(end);
  }
  return records;
}

/** The header fields PAX records may override. */
export interface PaxOverrides {
  name?: Buffer;
  linkname?: Buffer;
  uname?: Buffer;
  gname?: Buffer;
  uid?: number;
  gid?: number;
  size?: number;
  /** Milliseconds since the epoch. */
  mtimeMs?: number;
  xattrs: Map<string, Buffer>;
}

/** Go's mergePAX: empty values keep the header's own value; bad numbers are errors. */
export function paxOverrides(records: PaxRecords, offset: number): PaxOverrides {
  const out: PaxOverrides = { xattrs: new Map() };
  for (const [key, value] of records) {
    if (value.length === 0) continue;
    const text = () => value.toString('utf8');
    const int = () => {
      const parsed = parseGoInt64(text());
      if (parsed === undefined) {
        throw new TarSplitError('BAD_TAR', `invalid PAX record ${key}=${text()} at byte ${offset}`);
      }
      return parsed;
    };
    switch (key) {
      case 'path':
        out.name = value;
        break;
      case 'linkpath':
        out.linkname = value;
        break;
      case 'uname':
        out.uname = value;
        break;
      case 'gname':
        out.gname = value;
        break;
      case 'uid':
        out.uid = Number(int());
        break;
      case 'gid':
        out.gid = Number(int());
        break;
      case 'size': {
        const size = int();
        if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new TarSplitError('UNSUPPORTED', `PAX size ${size} at byte ${offset} is too large`);
        }
        out.size = Number(size);
        break;
      }
      case 'atime':
      case 'ctime':
      case 'mtime': {
        const ms = parsePaxTime(text());
        if (ms === undefined) {
          throw new TarSplitError('BAD_TAR', `invalid PAX record ${key}=${text()} at byte ${offset}`);
        }
        if (key === 'mtime') out.mtimeMs = ms;
        break;
      }
      default:
        if (key.startsWith(XATTR_PREFIX)) out.xattrs.set(key.slice(XATTR_PREFIX.length), value);
    }
  }
  return out;
}

/** Whether Go would read the member as a GNU sparse file (PAX formats 0.0, 0.1 and 1.0). */
export function isPaxSparse(records: PaxRecords): boolean {
  const major = records.get('GNU.sparse.major')?.toString('latin1') ?? '';
  const minor = records.get('GNU.sparse.minor')?.toString('latin1') ?? '';
  if (major === '0' && (minor === '0' || minor === '1')) return true;
  if (major === '1' && minor === '0') return true;
  if (major !== '' || minor !== '') return false;
  return (
    (records.get('GNU.sparse.map')?.length ?? 0) > 0 ||
    records.has('GNU.sparse.offset') ||
    records.has('GNU.sparse.numbytes')
  );
}
