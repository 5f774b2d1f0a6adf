// Reads an image from a dir: directory. Everything is read straight from its file; blobs are
// streamed, never loaded whole.
import type { Stats } from 'node:fs';
import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobStream,
  type Context,
  checkManifestSize,
  type Digest,
  guessManifestMediaType,
  type ImageReference,
  type ImageSource,
  ImageNotFoundError,
  IoError,
  type ManifestBlob,
  type ReadOptions,
  type Signature,
  throwIfAborted,
} from '@skopeo-ts/core';
import { asSkopeoError, isMissing } from './io.js';
import { blobFileName, manifestFileName, signatureFileName } from './layout.js';
import { decodeSignature } from './signature-file.js';
import { checkReadableVersion, readVersionFile } from './version-file.js';

/** Large reads: fewer, bigger chunks through the copy pipeline. */
const READ_CHUNK_BYTES = 1024 * 1024;

interface DirSourceReference extends ImageReference {
  readonly path: string;
}

export class DirImageSource implements ImageSource {
  readonly threadSafe = true;

  private constructor(readonly reference: DirSourceReference) {}

  /** Refuses a directory whose `version` file says it is a layout we do not understand. */
  static async open(reference: DirSourceReference, ctx: Context): Promise<DirImageSource> {
    throwIfAborted(ctx.signal);
    // A missing version file is accepted, as skopeo does; a wrong or newer one is refused.
    const version = await readVersionFile(reference.path);
    if (version.kind !== 'missing') checkReadableVersion(version, reference.path);
    return new DirImageSource(reference);
  }

  private get dir(): string {
    return this.reference.path;
  }

  async getManifest(instanceDigest?: Digest, options: ReadOptions = {}): Promise<ManifestBlob> {
    throwIfAborted(options.signal);
    const path = join(this.dir, manifestFileName(instanceDigest));
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) throw await this.notFound(path, instanceDigest, error);
      throw asSkopeoError('reading manifest', path, error);
    }
    try {
      const { size } = await handle.stat();
      checkManifestSize(size, `manifest ${path}`);
      const bytes = await handle.readFile(options.signal ? { signal: options.signal } : {});
      // The file says nothing about its type: guess from the bytes as containers/image does
      // ("" when unrecognisable, so that the caller's parse error explains it).
      return { bytes, mediaType: guessManifestMediaType(bytes) };
    } catch (error) {
      throw asSkopeoError('reading manifest', path, error);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  private async notFound(path: string, instanceDigest: Digest | undefined, cause: unknown) {
    if (instanceDigest !== undefined) {
      return new ImageNotFoundError(
        `manifest list instance ${instanceDigest} not found in dir:${this.dir}: ${path} does not exist`,
        { cause },
      );
    }
    const dirState = await stat(this.dir).then(
      (stats) => (stats.isDirectory() ? 'has no manifest.json' : 'is not a directory'),
      () => 'does not exist',
    );
    return new ImageNotFoundError(`no image at dir:${this.dir}: ${this.dir} ${dirState}`, { cause });
  }

  async getBlob(info: BlobInfo, options: ReadOptions = {}): Promise<BlobStream> {
    throwIfAborted(options.signal);
    const path = join(this.dir, blobFileName(info.digest));
    const operation = `reading blob ${info.digest} from`;
    let stats: Stats;
    try {
      stats = await stat(path);
    } catch (error) {
      throw asSkopeoError(operation, path, error);
    }
    // A directory would fail later, far from here, when read.
    if (!stats.isFile()) throw new IoError(operation, path, new Error('not a regular file'));
    return { stream: new FileBlobStream(path, operation), size: stats.size };
  }

  async getSignatures(instanceDigest?: Digest, options: ReadOptions = {}): Promise<Signature[]> {
    const signatures: Signature[] = [];
    for (let index = 0; ; index++) {
      throwIfAborted(options.signal);
      const path = join(this.dir, signatureFileName(index, instanceDigest));
      let bytes: Buffer;
      try {
        bytes = await readFile(path, options.signal ? { signal: options.signal } : {});
      } catch (error) {
        if (isMissing(error)) return signatures;
        throw asSkopeoError('reading signature', path, error);
      }
      signatures.push(decodeSignature(bytes, path));
    }
  }

  async close(): Promise<void> {}
}

/**
 * Streams a file. fs.ReadStream would do, but its read errors name no path; these become IoErrors
 * that do. The file is opened at the first read and closed at the end or when the stream is
 * destroyed, so a stream that is dropped without being read holds no file handle (an open
 * FileHandle that is garbage-collected makes Node warn "Closing file descriptor N on garbage
 * collection").
 */
class FileBlobStream extends Readable {
  private opening: Promise<FileHandle> | undefined;

  constructor(
    private readonly path: string,
    private readonly operation: string,
  ) {
    super({ highWaterMark: READ_CHUNK_BYTES });
  }

  override _read(size: number): void {
    this.opening ??= open(this.path, 'r');
    const buffer = Buffer.allocUnsafe(Math.max(size, READ_CHUNK_BYTES));
    this.opening
      .then((handle) => handle.read(buffer, 0, buffer.length, null))
      .then(
        ({ bytesRead }) => {
          this.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
        },
        (error: unknown) => this.destroy(new IoError(this.operation, this.path, error)),
      );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.opening === undefined) {
      callback(error);
      return;
    }
    this.opening
      .then(
        (handle) => handle.close(),
        () => undefined, // never opened: nothing to close
      )
      .then(
        () => callback(error),
        (closeError: unknown) => callback(error ?? new IoError('closing', this.path, closeError)),
      );
  }
}
