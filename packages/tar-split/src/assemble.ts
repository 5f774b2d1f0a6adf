// Rebuilding the exact original tar from tar-split entries and the layer's files, as Go's
// asm.WriteOutputTarStream does: segments verbatim, then for each file entry with content the
// whole file, checked against the recorded size and CRC-64.

import { Readable } from 'node:stream';
import { Crc64 } from './crc64.js';
import { displayName, type FileEntry, type TarSplitEntry } from './entry.js';
import { TarSplitError } from './errors.js';

/** A file's content for reassembly; `size`, when known up front, is checked before reading. */
export interface OpenedFile {
  stream: AsyncIterable<Uint8Array> & { destroy?(): void };
  size?: number;
}

/**
 * Opens the file a file entry names, in whatever holds the layer's files (a vfs directory, an
 * overlay diff and its lowers, an OSTree checkout, …). `entry.name` is the raw name bytes.
 */
export type FileOpener = (entry: FileEntry) => Promise<OpenedFile> | OpenedFile;

function integrityError(entry: FileEntry, why: string): TarSplitError {
  return new TarSplitError(
    'INTEGRITY',
    `file integrity checksum failed for ${displayName(entry.name)}: ${why}; the layer's files do not match its tar-split`,
  );
}

async function* fileContent(entry: FileEntry, open: FileOpener): AsyncGenerator<Uint8Array> {
  const file = await open(entry);
  try {
    if (file.size !== undefined && file.size !== entry.size) {
      throw integrityError(entry, `the file has ${file.size} bytes, the tar-split records ${entry.size}`);
    }
    const crc = new Crc64();
    let seen = 0;
    for await (const chunk of file.stream) {
      seen += chunk.length;
      if (seen > entry.size) {
        throw integrityError(entry, `the file has more than the ${entry.size} bytes the tar-split records`);
      }
      crc.update(chunk);
      yield chunk;
    }
    if (seen !== entry.size) {
      throw integrityError(entry, `the file has ${seen} bytes, the tar-split records ${entry.size}`);
    }
    const digest = crc.digest();
    if (entry.crc64 === undefined || !digest.equals(entry.crc64)) {
      throw integrityError(
        entry,
        `CRC-64 ${digest.toString('hex')}, the tar-split records ${entry.crc64?.toString('hex') ?? 'none'}`,
      );
    }
  } finally {
    file.stream.destroy?.();
  }
}

/** The tar bytes, in order, as an async iterable. */
export async function* assembleTarChunks(
  entries: AsyncIterable<TarSplitEntry> | Iterable<TarSplitEntry>,
  open: FileOpener,
): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    if (entry.type === 'segment') {
      if (entry.payload.length > 0) yield entry.payload;
    } else if (entry.size > 0) {
      yield* fileContent(entry, open);
    }
  }
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
