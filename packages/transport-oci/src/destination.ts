// Writing one image (or index) into an OCI layout. Blobs and manifests are published as they
// arrive (content-addressed, each file complete or absent); the image becomes visible only at
// commit(), when index.json is re-read, updated and atomically replaced under the layout lock.
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type CommitOptions,
  type Context,
  type Digest,
  guessManifestMediaType,
  type ImageDestination,
  type ImageReference,
  IoError,
  type LayerCompression,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  manifestDigest,
  type OciDescriptor,
  type PutBlobInfo,
  type PutBlobOptions,
  type PutManifestOptions,
  type ReusedBlob,
  SkopeoError,
  signaturesNotSupported,
  throwIfAborted,
  type TryReusingBlobOptions,
  UnsupportedError,
} from '@skopeo-ts/core';
import { blobExists, writeBlobBytes, writeBlobFromStream } from './layout/blobs.js';
import { io, isNotFound } from './layout/errors.js';
import { emptyIndex, readIndexFile, withEntry, writeIndexFile } from './layout/index-json.js';
import { withLayoutLock } from './layout/lock.js';
import {
  BLOBS_DIR,
  IMAGE_LAYOUT_VERSION,
  INDEX_FILE,
  LOCK_FILE,
  OCI_LAYOUT_FILE,
  REF_NAME_ANNOTATION,
  tempDirFor,
} from './layout/paths.js';
import { isTempName, removeStaleTempFiles, writeTempFile } from './layout/temp-files.js';
import type { LayoutLocation } from './source.js';

export interface LayoutDestinationOptions {
  /** The ref.name to tag the image with; '' writes an unnamed entry. */
  image: string;
  /** false for a staged layout that is read back and deleted (oci-archive): blobs are not fsynced. */
  durable?: boolean;
}

/** Names a layout directory may hold before its first commit (an interrupted first copy). */
const LAYOUT_NAMES = new Set([BLOBS_DIR, OCI_LAYOUT_FILE, INDEX_FILE, LOCK_FILE]);

export class LayoutImageDestination implements ImageDestination {
  readonly supportedManifestTypes = [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX];
  readonly desiredLayerCompression: LayerCompression;
  readonly acceptsForeignLayers = true;
  readonly supportsSignatures = false;
  readonly threadSafe = true;
  readonly supportsManifestLists = true;
  /** Blobs and manifests the committed image needs: checked to still exist at commit. */
  private readonly needed = new Set<Digest>();
  private topLevel: OciDescriptor | undefined;

  private constructor(
    readonly reference: ImageReference,
    private readonly location: LayoutLocation,
    private readonly options: LayoutDestinationOptions,
    private readonly ctx: Context,
  ) {
    this.desiredLayerCompression = ctx.ociAcceptUncompressedLayers ? 'preserve' : 'compress';
    this.putSignatures = signaturesNotSupported(reference.transport.name);
  }

  /**
   * Prepares the directory: creates it if needed, refuses one that holds something else, checks an
   * existing index.json parses, and removes temp files of writers that died.
   */
  static async open(
    reference: ImageReference,
    location: LayoutLocation,
    options: LayoutDestinationOptions,
    ctx: Context,
  ): Promise<LayoutImageDestination> {
    const { dir, store } = location;
    await checkLayoutDirectory(dir, location.label);
    await readIndexFile(dir); // fail now, not after copying gigabytes, if index.json is broken
    await io('creating', join(dir, BLOBS_DIR), () => mkdir(join(dir, BLOBS_DIR), { recursive: true }));
    if (store.shared !== undefined) {
      await io('creating', store.shared, () => mkdir(store.shared as string, { recursive: true }));
    }
    for (const removed of await removeStaleTempFiles(dir)) ctx.debug?.(`removed stale temp file ${removed}`);
    if (tempDirFor(store) !== dir) await removeStaleTempFiles(tempDirFor(store));
    return new LayoutImageDestination(reference, location, options, ctx);
  }

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    const signal = options.signal ?? this.ctx.signal;
    throwIfAborted(signal);
    const stored = await writeBlobFromStream(
      this.location.store,
      stream,
      info,
      signal,
      this.options.durable ?? true,
    );
    this.needed.add(stored.digest);
    return {
      digest: stored.digest,
      size: stored.size,
      ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
      ...(info.annotations === undefined ? {} : { annotations: info.annotations }),
    };
  }

  /** Reuses a blob the layout (or the shared blob dir) already holds, by exact digest only. */
  async tryReusingBlob(info: BlobInfo, _options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    const size = await blobExists(this.location.store, info.digest);
    if (size === undefined) return undefined;
    this.needed.add(info.digest);
    return {
      digest: info.digest,
      size,
      ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
    };
  }

  async putManifest(bytes: Uint8Array, options: PutManifestOptions = {}): Promise<void> {
    throwIfAborted(options.signal ?? this.ctx.signal);
    const mediaType = options.mediaType ?? guessManifestMediaType(bytes);
    const digest = options.instanceDigest ?? manifestDigest(bytes, mediaType);
    await writeBlobBytes(this.location.store, digest, bytes);
    this.needed.add(digest);
    if (options.instanceDigest !== undefined) return;
    // The top-level manifest becomes index.json's entry at commit (no platform, as skopeo writes it).
    this.topLevel = {
      mediaType,
      digest,
      size: bytes.length,
      ...(this.options.image === '' ? {} : { annotations: { [REF_NAME_ANNOTATION]: this.options.image } }),
    };
  }

  readonly putSignatures: ImageDestination['putSignatures'];

  async commit(options: CommitOptions = {}): Promise<void> {
    throwIfAborted(options.signal ?? this.ctx.signal);
    const entry = this.topLevel;
    if (entry === undefined) {
      throw new SkopeoError(
        'INTERNAL',
        `${this.location.label}: commit() before the image's manifest was written`,
      );
    }
    const { dir, label } = this.location;
    await withLayoutLock(
      dir,
      async () => {
        await this.checkNeededBlobs();
        const index = (await readIndexFile(dir)) ?? emptyIndex();
        await writeLayoutFile(dir);
        await writeIndexFile(dir, withEntry(index, entry));
      },
      { signal: options.signal ?? this.ctx.signal, debug: this.ctx.debug },
    );
    this.ctx.debug?.(`${label}: committed ${entry.digest}`);
  }

  /** Nothing to roll back: without commit no index entry was written; the blobs are unreferenced. */
  async close(): Promise<void> {}

  /** A concurrent delete may have removed a blob this image reuses: refuse to commit a broken entry. */
  private async checkNeededBlobs(): Promise<void> {
    for (const digest of this.needed) {
      if ((await blobExists(this.location.store, digest)) === undefined) {
        throw new SkopeoError(
          'CONFLICT',
          `${this.location.label}: blob ${digest} disappeared while the image was being written (deleted by another process?); nothing was committed`,
          { hint: 'copy the image again' },
        );
      }
    }
  }
}

/**
 * Creates a missing directory; refuses a non-empty one that is neither a layout nor what an
 * interrupted first copy leaves.
 */
async function checkLayoutDirectory(dir: string, label: string): Promise<void> {
  const stats = await stat(dir).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw new IoError('reading', dir, error);
  });
  if (stats === undefined) {
    await io('creating', dir, () => mkdir(dir, { recursive: true }));
    return;
  }
  if (!stats.isDirectory()) {
    throw new SkopeoError('CONFLICT', `${label}: ${dir} exists and is not a directory`);
  }
  const names = await io('reading', dir, () => readdir(dir));
  if (names.includes(OCI_LAYOUT_FILE)) {
    await checkLayoutVersion(dir, label);
    return;
  }
  if (names.includes(INDEX_FILE)) return;
  const foreign = names.filter((name) => !LAYOUT_NAMES.has(name) && !isTempName(name));
  if (foreign.length > 0) {
    const shown = foreign
      .slice(0, 3)
      .map((name) => JSON.stringify(name))
      .join(', ');
    throw new SkopeoError(
      'CONFLICT',
      `${label}: ${dir} is not empty and is not an OCI layout (no ${OCI_LAYOUT_FILE} or ${INDEX_FILE}; it holds ${shown}${foreign.length > 3 ? ', …' : ''}); refusing to write an image into it`,
      { hint: 'choose a new or empty directory, or an existing OCI layout' },
    );
  }
}

async function checkLayoutVersion(dir: string, label: string): Promise<void> {
  const path = join(dir, OCI_LAYOUT_FILE);
  let version: unknown;
  try {
    version = (JSON.parse(await readFile(path, 'utf8')) as { imageLayoutVersion?: unknown })
      .imageLayoutVersion;
  } catch (error) {
    if (isNotFound(error)) return;
    throw new SkopeoError('INVALID_MANIFEST', `${label}: ${path} is not valid JSON`, { cause: error });
  }
  if (version !== IMAGE_LAYOUT_VERSION) {
    throw new UnsupportedError(
      `${label}: ${path} declares image layout version ${JSON.stringify(version)}; only ${IMAGE_LAYOUT_VERSION} is supported`,
    );
  }
}

/** Writes `oci-layout` unless it is already there (atomically: it is read by other tools). */
async function writeLayoutFile(dir: string): Promise<void> {
  const path = join(dir, OCI_LAYOUT_FILE);
  try {
    await stat(path);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw new IoError('reading', path, error);
  }
  const temp = await writeTempFile(
    dir,
    Buffer.from(JSON.stringify({ imageLayoutVersion: IMAGE_LAYOUT_VERSION })),
  );
  await io('creating', path, () => rename(temp, path));
}
