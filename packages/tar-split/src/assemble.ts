// Rebuilding the exact original tar from tar-split entries and the layer's files, as Go's
// asm.WriteOutputTarStream does: segments verbatim, then for each file entry with content the
// whole file, checked against the recorded size and CRC-64.

import { closeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Crc64 } from './crc64.js';
import { PROBE, readInto, readIntoSync } from './descriptor-read.js';
import { displayName, type FileEntry, type TarSplitEntry } from './entry.js';
import { TarSplitError } from './errors.js';
import { OutputSlab } from './output-slab.js';

/**
 * A file's content for reassembly; `size`, when known up front, is checked before reading. With
 * `fd` (an open regular file, and then `size` too), the assembler reads the descriptor itself,
 * never touching `stream`, and closes it.
 */
export interface OpenedFile {
  stream: AsyncIterable<Uint8Array> & { destroy?(): void };
  size?: number;
  fd?: number;
}

/**
 * Opens the file a file entry names, in whatever holds the layer's files (a vfs directory, an
 * overlay diff and its lowers, an OSTree checkout, …). `entry.name` is the raw name bytes.
 */
export type FileOpener = (entry: FileEntry) => Promise<OpenedFile> | OpenedFile;

/**
 * The size of every chunk handed on but the last: the parallel gzip's block size, so that its
 * blocks are our chunks as they are, never copied together from pieces.
 */
const CHUNK_SIZE = 1024 * 1024;
/** Files up to this size are read with blocking reads; bigger ones through the thread pool. */
const SMALL_FILE = 128 * 1024;
/** The most a big file's read asks for at once. */
const BIG_FILE_READ = 256 * 1024;

function integrityError(entry: FileEntry, why: string): TarSplitError {
  return new TarSplitError(
    'INTEGRITY',
    `file integrity checksum failed for ${displayName(entry.name)}: ${why}; the layer's files do not match its tar-split`,
  );
}

function sizeError(entry: FileEntry, size: number): TarSplitError {
  return integrityError(entry, `the file has ${size} bytes, the tar-split records ${entry.size}`);
}

function tooLongError(entry: FileEntry): TarSplitError {
  return integrityError(entry, `the file has more than the ${entry.size} bytes the tar-split records`);
}

function checkDigest(entry: FileEntry, crc: Crc64): void {
  const digest = crc.digest();
  if (entry.crc64 === undefined || !digest.equals(entry.crc64)) {
    throw integrityError(
      entry,
      `CRC-64 ${digest.toString('hex')}, the tar-split records ${entry.crc64?.toString('hex') ?? 'none'}`,
    );
  }
}

/** A file opened without a descriptor: its stream, checked as it passes. */
async function* streamContent(entry: FileEntry, file: OpenedFile): AsyncGenerator<Uint8Array> {
  try {
    if (file.size !== undefined && file.size !== entry.size) throw sizeError(entry, file.size);
    const crc = new Crc64();
    let seen = 0;
    for await (const chunk of file.stream) {
      seen += chunk.length;
      if (seen > entry.size) throw tooLongError(entry);
      crc.update(chunk);
      yield chunk;
    }
    if (seen !== entry.size) throw sizeError(entry, seen);
    checkDigest(entry, crc);
  } finally {
    file.stream.destroy?.();
  }
}

/**
 * A small file read into the slab with blocking reads, and closed. Slabs it fills go to `full`,
 * for the caller to hand on, whether or not the file then fails a check (as the streamed path
 * would have handed its content on).
 */
function readSmall(entry: FileEntry, fd: number, out: OutputSlab, full: Buffer[]): void {
  try {
    const crc = new Crc64();
    let seen = 0;
    let endSeen = false;
    while (seen < entry.size) {
      if (out.room === 0) full.push(out.take()!);
      const at = out.offset;
      const remaining = entry.size - seen;
      // Asking for one byte more than the file should have left, when the slab has room: a short
      // answer shows where the file ends, saving the read past its end below.
      const asked = out.room > remaining ? remaining + 1 : Math.min(out.room, remaining);
      const got = readIntoSync(fd, out.buffer, at, asked);
      if (got === 0) break;
      const kept = Math.min(got, remaining);
      crc.update(out.buffer.subarray(at, at + kept));
      out.commit(kept);
      seen += kept;
      if (got > remaining) throw tooLongError(entry);
      endSeen = got < asked;
    }
    if (seen !== entry.size) throw sizeError(entry, seen);
    // A byte past the recorded size means the file is longer.
    if (!endSeen && readIntoSync(fd, PROBE, 0, 1) > 0) throw tooLongError(entry);
    checkDigest(entry, crc);
  } finally {
    closeSync(fd);
  }
}

/** A big file read into the slab through the thread pool, handing on each slab as it fills. */
async function* readBig(entry: FileEntry, fd: number, out: OutputSlab): AsyncGenerator<Buffer> {
  try {
    const crc = new Crc64();
    let seen = 0;
    while (seen < entry.size) {
      if (out.room === 0) yield out.take()!;
      const at = out.offset;
      const got = await readInto(fd, out.buffer, at, Math.min(out.room, entry.size - seen, BIG_FILE_READ));
      if (got === 0) break;
      crc.update(out.buffer.subarray(at, at + got));
      out.commit(got);
      seen += got;
    }
    if (seen !== entry.size) throw sizeError(entry, seen);
    if ((await readInto(fd, PROBE, 0, 1)) > 0) throw tooLongError(entry);
    checkDigest(entry, crc);
  } finally {
    // No read is in flight here: each was awaited before anything was handed on.
    closeSync(fd);
  }
}

/** The tar bytes, in order, as an async iterable. */
export async function* assembleTarChunks(
  entries: AsyncIterable<TarSplitEntry> | Iterable<TarSplitEntry>,
  open: FileOpener,
): AsyncGenerator<Uint8Array> {
  const out = new OutputSlab(CHUNK_SIZE);
  const full: Buffer[] = [];
  try {
    for await (const entry of entries) {
      if (entry.type === 'segment') {
        let rest = entry.payload;
        for (;;) {
          rest = rest.subarray(out.append(rest));
          if (out.room > 0) break;
          yield out.take()!;
        }
      } else if (entry.size > 0) {
        const file = await open(entry);
        if (file.fd === undefined) {
          const gathered = out.take();
          if (gathered) yield gathered;
          yield* streamContent(entry, file);
        } else if (file.size !== entry.size) {
          closeSync(file.fd);
          throw sizeError(entry, file.size ?? 0);
        } else if (entry.size > SMALL_FILE) {
          yield* readBig(entry, file.fd, out);
        } else {
          let failed = false;
          let failure: unknown;
          try {
            readSmall(entry, file.fd, out, full);
          } catch (error) {
            failed = true;
            failure = error;
          }
          for (const slab of full) yield slab;
          full.length = 0;
          if (failed) throw failure;
        }
      }
    }
  } catch (error) {
    // What was read before the failure is handed on first, as it would have been unbatched.
    const gathered = out.take();
    if (gathered) yield gathered;
    throw error;
  }
  const gathered = out.take();
  if (gathered) yield gathered;
}

/**
 * The original tar as a stream. Fails (`INTEGRITY`) when a file's size or CRC-64 differs from
 * the tar-split, after streaming what it had read: check the stream's outcome, not just its bytes.
 */
export function assembleTar(
  entries: AsyncIterable<TarSplitEntry> | Iterable<TarSplitEntry>,
  open: FileOpener,
): Readable {
  return Readable.from(assembleTarChunks(entries, open), { objectMode: false });
}
