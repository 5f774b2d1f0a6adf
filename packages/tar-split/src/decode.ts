// Reading tar-split data (gzip'd or plain JSON lines) back into entries, checking each line:
// known types, sequential positions, valid base64, 8-byte checksums, no duplicate paths (Go's
// unpacker refuses those too). Empty segments are accepted: tar-split up to v0.11.5 always
// wrote one at the end.

import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { nameKey } from './clean-name.js';
import { duplicatePathError } from './encode.js';
import { FILE_TYPE, SEGMENT_TYPE, type TarSplitEntry } from './entry.js';
import { TarSplitError } from './errors.js';

/** zlib output per pass when gunzipping a tar-split. */
const GUNZIP_CHUNK = 128 * 1024;
/** The most bytes decoded to text at once (bigger strings made the garbage collector work harder). */
const TEXT_SLICE = 16 * 1024;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function badLine(lineNumber: number, why: string): TarSplitError {
  return new TarSplitError('BAD_TAR_SPLIT', `invalid tar-split data, line ${lineNumber}: ${why}`);
}

function decodeBase64(value: unknown, lineNumber: number, what: string): Buffer {
  if (typeof value !== 'string') throw badLine(lineNumber, `${what} is not base64`);
  const bytes = Buffer.from(value, 'base64');
  // Text that encodes back to itself is valid; only the rest (never Go's own output) needs the
  // slower pattern, which also takes non-zero padding bits as Go's decoder does.
  if (bytes.toString('base64') !== value && !BASE64.test(value)) {
    throw badLine(lineNumber, `${what} is not base64`);
  }
  return bytes;
}

/** One JSON line as an entry; `expectedPosition` is its index. */
export function parseEntryLine(line: string, lineNumber: number, expectedPosition: number): TarSplitEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw badLine(lineNumber, `not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badLine(lineNumber, 'not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const position = record.position ?? 0;
  if (position !== expectedPosition) {
    throw badLine(lineNumber, `position ${JSON.stringify(position)} where ${expectedPosition} was expected`);
  }
  if (record.type === SEGMENT_TYPE) {
    const payload =
      record.payload === null || record.payload === undefined
        ? Buffer.alloc(0)
        : decodeBase64(record.payload, lineNumber, 'the segment payload');
    return { type: 'segment', payload, position };
  }
  if (record.type !== FILE_TYPE)
    throw badLine(lineNumber, `unknown entry type ${JSON.stringify(record.type)}`);
  const size = record.size ?? 0;
  if (typeof size !== 'number' || !Number.isSafeInteger(size)) {
    throw badLine(lineNumber, `size ${JSON.stringify(size)} is not an integer`);
  }
  let name: Buffer;
  if (record.name_raw !== undefined && record.name_raw !== null && record.name_raw !== '') {
    name = decodeBase64(record.name_raw, lineNumber, 'name_raw');
  } else if (record.name === undefined || record.name === null) {
    name = Buffer.alloc(0);
  } else if (typeof record.name === 'string') {
    name = Buffer.from(record.name, 'utf8');
  } else {
    throw badLine(lineNumber, 'name is not a string');
  }
  let crc64: Buffer | undefined;
  if (record.payload !== null && record.payload !== undefined) {
    crc64 = decodeBase64(record.payload, lineNumber, 'the file checksum');
    if (crc64.length !== 8) throw badLine(lineNumber, `the file checksum has ${crc64.length} bytes, not 8`);
  }
  if (size > 0 && crc64 === undefined) throw badLine(lineNumber, `a file of ${size} bytes has no checksum`);
  return { type: 'file', name, size, crc64, position };
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The bytes of `source`, gunzipped when they start with the gzip magic. */
async function* plainBytes(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  // Enough bytes to see the magic (a stream may hand them over one at a time).
  while (first === undefined || first.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value);
    first = first === undefined ? chunk : Buffer.concat([first, chunk]);
  }
  if (first === undefined) return;
  async function* rest(): AsyncGenerator<Buffer> {
    yield first!;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  if (!isGzip(first)) {
    yield* rest();
    return;
  }
  const compressed = Readable.from(rest(), { objectMode: false });
  // Big passes (a thread-pool round trip each: 16 KiB of output per pass made ~1300 for a 15 MB
  // tar-split), handed on in small slices: the line parser's strings stay as small as before.
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  compressed.on('error', (error) => gunzip.destroy(error));
  compressed.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      const bytes = chunk as Buffer;
      for (let offset = 0; offset < bytes.length; offset += TEXT_SLICE) {
        yield bytes.subarray(offset, offset + TEXT_SLICE);
      }
    }
  } catch (error) {
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR, …) mean bad data; others (I/O) pass through.
    if (!String((error as { code?: unknown }).code ?? '').startsWith('Z_')) throw error;
    throw new TarSplitError('BAD_TAR_SPLIT', `invalid tar-split data: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    compressed.destroy();
    gunzip.destroy();
  }
}

/**
 * The entries of a tar-split, gzip'd (as stored) or not, read as a stream: one chunk in memory
 * at a time.
 */
export async function* readTarSplit(
  source: AsyncIterable<Buffer | Uint8Array | string>,
): AsyncGenerator<TarSplitEntry> {
  const seen = new Set<string>();
  let lineNumber = 0;
  let position = 0;
  const parse = (line: string): TarSplitEntry | undefined => {
    lineNumber++;
    if (line.trim() === '') return undefined;
    const entry = parseEntryLine(line, lineNumber, position++);
    if (entry.type === 'file') {
      const key = nameKey(entry.name);
      if (seen.has(key)) throw duplicatePathError(entry.name);
      seen.add(key);
    }
    return entry;
  };
  // Decoded chunk by chunk (a character split across chunks is held back by the decoder), then
  // split at newlines, which JSON keeps out of its strings.
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const chunk of plainBytes(source)) {
    const text = partial + decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      const entry = parse(text.slice(start, newline));
      start = newline + 1;
      if (entry) yield entry;
    }
    partial = text.slice(start);
  }
  partial += decoder.end();
  if (partial.length > 0) {
    const entry = parse(partial);
    if (entry) yield entry;
  }
}
