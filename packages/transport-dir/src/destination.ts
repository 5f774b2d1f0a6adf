// Writes an image into a dir: directory.
//
// skopeo empties an existing image directory as soon as it opens it, so a failed copy loses the
// previous image. Here nothing of the previous image is touched before commit():
// - each blob streams into a temporary file, then is renamed to its digest name (an extra file
//   next to the old image does not change it);
// - manifests and signatures are held (they are small) and written at commit, the top-level
//   manifest after everything it refers to, then the old image's leftovers are removed and the
//   version file is written last;
// - close() without commit removes the temporary files, the blobs this destination added and
//   the directory if it created it.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type CommitOptions,
  type Context,
  type Digest,
  DigestingStream,
  type ImageDestination,
  type ImageReference,
  IoError,
  type LayerCompression,
  type PutBlobInfo,
  type PutBlobOptions,
  type PutManifestOptions,
  type ReusedBlob,
  type Signature,
  SizeMismatchError,
  SkopeoError,
  throwIfAborted,
  type TryReusingBlobOptions,
  UnsupportedError,
} from '@skopeo-ts/core';
import { asSkopeoError, errorCode, isMissing, tempPath, writeFileAtomic } from './io.js';
import {
  blobFileName,
  DIR_TRANSPORT_NAME,
  formatVersion,
  hasBareHexName,
  isSignatureFileName,
  isTempFileName,
  MANIFEST_FILE,
  manifestFileName,
  signatureFileName,
  VERSION_1_1,
  VERSION_1_2,
  VERSION_FILE,
} from './layout.js';
import { encodeSignature } from './signature-file.js';
import { checkReadableVersion, readVersionFile } from './version-file.js';

/**
 * Options for dir: destinations, passed as `ctx.transportOptions.dir` (skopeo's --dest-compress
 * and --dest-decompress): compress layers that are not compressed, or store every layer
 * uncompressed. Both at once are refused.
 */
export interface DirTransportOptions {
  compress?: boolean;
  decompress?: boolean;
}

interface DirDestinationReference extends ImageReference {
  readonly path: string;
}

interface SignatureSet {
  instanceDigest: Digest | undefined;
  files: Uint8Array[];
}

export class DirImageDestination implements ImageDestination {
  readonly supportedManifestTypes = undefined;
  readonly desiredLayerCompression: LayerCompression;
  readonly acceptsForeignLayers = true;
  readonly supportsSignatures = true;
  readonly threadSafe = true;
  readonly supportsManifestLists = true;

  /** Blob file names of the image being written (written or reused); commit keeps exactly these. */
  private readonly imageBlobs = new Set<string>();
  /** Blob files this destination created where none was: removed again if never committed. */
  private readonly addedBlobs = new Set<string>();
  private readonly tempFiles = new Set<string>();
  private topManifest: Uint8Array | undefined;
  /** Instance manifests by file name. */
  private readonly instanceManifests = new Map<string, Uint8Array>();
  /** Encoded signatures by instance digest ("" for the top-level manifest). */
  private readonly signatureSets = new Map<string, SignatureSet>();
  /** Some file is named `<algorithm>-<hex>`: the layout is version 1.2. */
  private usesAlgorithmPrefixedNames = false;
  private state: 'open' | 'committing' | 'committed' | 'closed' = 'open';

  private constructor(
    readonly reference: DirDestinationReference,
    desiredLayerCompression: LayerCompression,
    /** The first directory we created (the destination or one of its parents), if any. */
    private readonly createdDir: string | undefined,
    private readonly debug: ((message: string) => void) | undefined,
  ) {
    this.desiredLayerCompression = desiredLayerCompression;
  }

  /**
   * Checks the directory can take an image (creating it if needed): an existing directory must
   * be empty or already hold a dir: image, so that other data is never overwritten.
   */
  static async open(reference: DirDestinationReference, ctx: Context): Promise<DirImageDestination> {
    throwIfAborted(ctx.signal);
    const compression = layerCompressionFrom(ctx);
    const dir = reference.path;
    let createdDir: string | undefined;
    const existing = await stat(dir).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw asSkopeoError('opening destination directory', dir, error);
    });
    if (existing === undefined) {
      try {
        createdDir = await mkdir(dir, { recursive: true, mode: 0o755 });
      } catch (error) {
        throw asSkopeoError('creating destination directory', dir, error);
      }
    } else if (!existing.isDirectory()) {
      const cause = Object.assign(new Error('it exists and is not a directory'), { code: 'ENOTDIR' });
      throw new IoError('opening destination directory', dir, cause);
    } else {
      await checkOverwritable(dir);
    }
    return new DirImageDestination(reference, compression, createdDir, ctx.debug);
  }

  private get dir(): string {
    return this.reference.path;
  }

  private assertOpen(operation: string): void {
    if (this.state !== 'open') {
      const when = this.state === 'closed' ? 'after close()' : 'after commit()';
      throw new SkopeoError('INTERNAL', `${operation} called on the dir:${this.dir} destination ${when}`);
    }
  }

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    this.assertOpen('putBlob');
    const what = `blob ${info.digest ?? '(digest computed while writing)'}`;
    const temp = tempPath(this.dir, 'blob');
    this.tempFiles.add(temp);
    try {
      throwIfAborted(options.signal);
      // `flush`: the data must be on disk before its final name says the blob is there.
      const output = createWriteStream(temp, { flags: 'wx', mode: 0o644, flush: true });
      // The copy engine verifies known digests upstream; only an unknown one is computed here.
      const digester =
        info.digest === undefined ? new DigestingStream({ digest: undefined, size: -1, what }) : undefined;
      await pipeline(digester ? [stream, digester, output] : [stream, output], {
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const size = output.bytesWritten;
      if (info.size >= 0 && size !== info.size) throw new SizeMismatchError(what, info.size, size);
      const digest = info.digest ?? (digester as DigestingStream).digest;
      const name = blobFileName(digest);
      await this.placeBlob(temp, name);
      if (!hasBareHexName(digest)) this.usesAlgorithmPrefixedNames = true;
      return {
        digest,
        size,
        ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
        ...(info.annotations === undefined ? {} : { annotations: info.annotations }),
      };
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw asSkopeoError(`writing ${what} into`, this.dir, error);
    } finally {
      this.tempFiles.delete(temp);
    }
  }

  /** Renames a finished temporary file to its blob name, remembering whether it is new. */
  private async placeBlob(temp: string, name: string): Promise<void> {
    const target = join(this.dir, name);
    const existed = await stat(target).then(
      () => true,
      () => false,
    );
    await rename(temp, target);
    if (this.state !== 'open') {
      // close() ran while this blob was being written: nothing may stay behind.
      if (!existed) await rm(target, { force: true });
      throw new SkopeoError('ABORTED', `the dir:${this.dir} destination was closed while writing a blob`);
    }
    if (!existed) this.addedBlobs.add(name);
    this.imageBlobs.add(name);
  }

  /** Reuses a blob file already in the directory (from this copy or the previous image) of the right size. */
  async tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    this.assertOpen('tryReusingBlob');
    throwIfAborted(options.signal);
    const name = blobFileName(info.digest);
    const path = join(this.dir, name);
    let size: number;
    try {
      const stats = await stat(path);
      if (!stats.isFile()) return undefined;
      size = stats.size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw asSkopeoError(`checking for blob ${info.digest} at`, path, error);
    }
    // A file of another size is damaged (or truncated): write the blob again instead.
    if (info.size >= 0 && size !== info.size) return undefined;
    this.imageBlobs.add(name);
    if (!hasBareHexName(info.digest)) this.usesAlgorithmPrefixedNames = true;
    return {
      digest: info.digest,
      size,
      ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
    };
  }

  async putManifest(bytes: Uint8Array, options: PutManifestOptions = {}): Promise<void> {
    this.assertOpen('putManifest');
    const copy = Uint8Array.from(bytes);
    const instance = options.instanceDigest;
    if (instance === undefined) {
      this.topManifest = copy;
      return;
    }
    this.instanceManifests.set(manifestFileName(instance), copy);
    if (!hasBareHexName(instance)) this.usesAlgorithmPrefixedNames = true;
  }

  async putSignatures(signatures: Signature[], options: PutManifestOptions = {}): Promise<void> {
    this.assertOpen('putSignatures');
    const instance = options.instanceDigest;
    if (instance !== undefined) {
      manifestFileName(instance); // validates the digest before it names files
      if (!hasBareHexName(instance)) this.usesAlgorithmPrefixedNames = true;
    }
    this.signatureSets.set(instance ?? '', {
      instanceDigest: instance,
      files: signatures.map(encodeSignature),
    });
  }

  async commit(options: CommitOptions = {}): Promise<void> {
    this.assertOpen('commit');
    throwIfAborted(options.signal);
    const top = this.topManifest;
    if (top === undefined) {
      throw new SkopeoError('INTERNAL', `nothing to commit to dir:${this.dir}: no manifest was written`);
    }
    // From here on, close() must not remove added blobs: the new manifest may already use them.
    this.state = 'committing';
    const files = new Map<string, Uint8Array>(this.instanceManifests);
    for (const { instanceDigest, files: signatures } of this.signatureSets.values()) {
      signatures.forEach((bytes, index) => {
        files.set(signatureFileName(index, instanceDigest), bytes);
      });
    }
    const keep = new Set([...this.imageBlobs, ...files.keys(), MANIFEST_FILE, VERSION_FILE]);
    const stale = (await this.listEntries()).filter((name) => !keep.has(name));
    if (stale.length > 0) this.debug?.(`dir:${this.dir}: replacing the previous image`);
    // Old signatures go first: they must never appear to sign the new manifest.
    await this.removeEntries(stale.filter(isSignatureFileName));
    for (const [name, bytes] of files) await writeFileAtomic(this.dir, name, bytes);
    await writeFileAtomic(this.dir, MANIFEST_FILE, top);
    await this.removeEntries(stale.filter((name) => !isSignatureFileName(name)));
    const version = this.usesAlgorithmPrefixedNames ? VERSION_1_2 : VERSION_1_1;
    await writeFileAtomic(this.dir, VERSION_FILE, formatVersion(version));
    this.state = 'committed';
  }

  private async listEntries(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (error) {
      throw asSkopeoError('listing', this.dir, error);
    }
  }

  private async removeEntries(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        await rm(path, { recursive: true, force: true });
      } catch (error) {
        throw asSkopeoError('removing the previous image file', path, error);
      }
    }
  }

  /** Never throws: a failed cleanup must not hide the error that made the copy fail. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const rollback = this.state === 'open';
    this.state = 'closed';
    const quietly = (what: string, path: string) => (error: unknown) => {
      this.debug?.(`dir: could not remove ${what} ${path}: ${(error as Error).message}`);
    };
    for (const temp of this.tempFiles) await rm(temp, { force: true }).catch(quietly('temporary file', temp));
    if (!rollback) return;
    for (const name of this.addedBlobs) {
      const path = join(this.dir, name);
      await rm(path, { force: true }).catch(quietly('blob', path));
    }
    if (this.createdDir !== undefined) await removeCreatedDirs(this.dir, this.createdDir);
  }
}

/** Removes `dir` and its parents up to `firstCreated`, as long as they are empty. */
async function removeCreatedDirs(dir: string, firstCreated: string): Promise<void> {
  let current = dir;
  for (;;) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or gone): it is not ours to remove any more
    }
    if (current === firstCreated) return;
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

async function checkOverwritable(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw asSkopeoError('reading destination directory', dir, error);
  }
  // Leftovers of an interrupted copy of ours do not make a directory "used".
  if (entries.every(isTempFileName)) return;
  const version = await readVersionFile(dir);
  if (version.kind !== 'valid') {
    const reason =
      version.kind === 'missing'
        ? `it has no "${VERSION_FILE}" file`
        : `its "${VERSION_FILE}" file does not hold a dir: transport version`;
    throw new SkopeoError(
      'CONFLICT',
      `refusing to write an image to dir:${dir}: the directory is not empty and is not a container image directory (${reason}), so its contents would be lost`,
      { hint: 'choose a new or empty directory, or one written by the dir: transport' },
    );
  }
  checkReadableVersion(version, dir);
}

/** The layer compression asked for through `ctx.transportOptions.dir` (see DirTransportOptions). */
function layerCompressionFrom(ctx: Context): LayerCompression {
  const options = ctx.transportOptions?.[DIR_TRANSPORT_NAME] ?? {};
  const flag = (name: keyof DirTransportOptions): boolean => {
    const value = options[name];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') {
      throw new UnsupportedError(
        `transportOptions.${DIR_TRANSPORT_NAME}.${name} must be true or false, not ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  const compress = flag('compress');
  const decompress = flag('decompress');
  if (compress && decompress) {
    throw new UnsupportedError(
      'cannot compress and decompress layers at the same time (--dest-compress with --dest-decompress)',
    );
  }
  return compress ? 'compress' : decompress ? 'decompress' : 'preserve';
}
