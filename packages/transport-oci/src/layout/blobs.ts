// Blobs: streamed to a temp file next to the blob directory and renamed into place once complete,
// so a blob file named by a digest always holds exactly that content (a kill -9 mid-write leaves
// only a temp file). Never buffered in memory.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Digest, DigestingStream, IoError, SizeMismatchError } from '@skopeo-ts/core';
import { abortedOr, io, isNotFound } from './errors.js';
import { type BlobStore, blobPath, blobRoot, BLOBS_DIR, tempDirFor } from './paths.js';
import { tempName, writeTempFile } from './temp-files.js';

export interface StoredBlob {
  digest: Digest;
  size: number;
}

/** Moves a finished temp file to the blob's path (creating `<algorithm>/` as needed). */
async function publish(store: BlobStore, temp: string, digest: Digest): Promise<void> {
  const target = blobPath(blobRoot(store), digest);
  await io('creating', dirname(target), () => mkdir(dirname(target), { recursive: true }));
  await io('storing blob', target, () => rename(temp, target));
}

/**
 * Writes a blob from a stream. With `digest` undefined the digest is computed while writing;
 * otherwise the caller (the copy engine) verifies the content and fails the stream on mismatch,
 * and a failed stream never publishes anything.
 */
export async function writeBlobFromStream(
  store: BlobStore,
  stream: Readable,
  expected: { digest: Digest | undefined; size: number },
  signal: AbortSignal | undefined,
  /** false for a staged layout that is read back and deleted (oci-archive): no fsync needed. */
  durable = true,
): Promise<StoredBlob> {
  const temp = join(tempDirFor(store), tempName());
  const measuring = new DigestingStream({ digest: undefined, size: -1, what: 'blob' });
  const sink = createWriteStream(temp, { flags: 'wx', mode: 0o644, flush: durable });
  let sinkError: unknown;
  sink.once('error', (error) => {
    sinkError = error;
  });
  try {
    try {
      await pipeline([stream, ...(expected.digest === undefined ? [measuring] : []), sink], {
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      // An abort first: it also fails our file's stream (with an AbortError), which is no I/O error.
      const aborted = abortedOr(
        error,
        signal,
        `writing blob ${expected.digest ?? '(digest computed while writing)'}`,
      );
      if (aborted !== error) throw aborted;
      // Only our own file's errors are I/O errors of this layout; the input's are the caller's.
      if (sinkError !== undefined && error === sinkError) throw new IoError('writing', temp, error);
      throw error;
    }
    const size = expected.digest === undefined ? measuring.bytes : (await stat(temp)).size;
    if (expected.size >= 0 && size !== expected.size) {
      throw new SizeMismatchError(`blob ${expected.digest ?? measuring.digest}`, expected.size, size);
    }
    const digest = expected.digest ?? measuring.digest;
    await publish(store, temp, digest);
    return { digest, size };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes a small blob (a manifest) atomically. */
export async function writeBlobBytes(store: BlobStore, digest: Digest, bytes: Uint8Array): Promise<void> {
  const temp = await writeTempFile(tempDirFor(store), bytes);
  try {
    await publish(store, temp, digest);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * The path of an existing blob: the shared blob dir first, then the layout's own `blobs/`
 * (a layout written without the shared dir stays readable with it). undefined if missing.
 */
export async function findBlob(
  store: BlobStore,
  digest: Digest,
): Promise<{ path: string; size: number } | undefined> {
  const roots =
    store.shared === undefined ? [blobRoot(store)] : [store.shared, join(store.layout, BLOBS_DIR)];
  for (const root of roots) {
    const path = blobPath(root, digest);
    try {
      const stats = await stat(path);
      if (stats.isFile()) return { path, size: stats.size };
    } catch (error) {
      if (!isNotFound(error)) throw new IoError('reading', path, error);
    }
  }
  return undefined;
}

/** Whether a blob exists where this store writes (used for reuse and for commit-time checks). */
export async function blobExists(store: BlobStore, digest: Digest): Promise<number | undefined> {
  const path = blobPath(blobRoot(store), digest);
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.size : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new IoError('reading', path, error);
  }
}
