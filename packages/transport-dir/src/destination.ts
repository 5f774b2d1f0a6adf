// Writes an image into a dir: directory.
//
// skopeo empties an existing image directory as soon as it opens it, so a failed copy loses the
// previous image, and two copies into one directory at once mix their files. Here:
// - each destination streams its blobs into a private staging directory inside the target
//   (`.skopeo-ts-tmp-<host>-<pid>-stage-<random>`, which skopeo and our source ignore); a blob it
//   reuses from the directory is hard-linked there, so that another writer replacing the image
//   meanwhile cannot take it away;
// - manifests and signatures are held (they are small) and written at commit;
// - commit() takes the directory's lock (withDirLock), moves the staged blobs into place, writes
//   instance manifests and signatures, then manifest.json, then removes the previous image's
//   leftovers (and temp files of writers that are gone) and writes the version file last.
//   Commits never interleave: copies into one directory at once all succeed, and the directory
//   ends holding the image of the last one to commit, whole. Nothing of the previous image is
//   touched before commit;
// - close() without commit removes the staging directory, and the directory if it created it.
import { createWriteStream } from 'node:fs';
import { link, lstat, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
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
} from '@skopeo-ts/core';
import { type FileLockOptions, processIsAlive, withFileLock } from '@skopeo-ts/file-lock';
import { asSkopeoError, errorCode, isMissing, tempPath, writeFileAtomic } from './io.js';
import {
  blobFileName,
  DIR_TRANSPORT_NAME,
  formatVersion,
  hasBareHexName,
  isImageFileName,
  isOwnFileName,
  isSignatureFileName,
  isTempFileName,
  LOCK_FILE,
  MANIFEST_FILE,
  manifestFileName,
  signatureFileName,
  TEMP_HOST,
  tempNameOwner,
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

/** Temp files and staging directories of other writers are removed once this old, whatever their owner. */
export const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

interface DirDestinationReference extends ImageReference {
  readonly path: string;
}

interface SignatureSet {
  instanceDigest: Digest | undefined;
  files: Uint8Array[];
}

type State =
  | 'open'
  /** commit() is running, or failed after the new image became visible. */
  | 'committing'
  /** commit() failed before the new image became visible: close() rolls back. */
  | 'failed'
  | 'committed'
  | 'closed';

export class DirImageDestination implements ImageDestination {
  readonly supportedManifestTypes = undefined;
  readonly desiredLayerCompression: LayerCompression;
  readonly acceptsForeignLayers = true;
  readonly supportsSignatures = true;
  readonly threadSafe = true;
  readonly supportsManifestLists = true;

  /** Blob files of the image being written, by name, with their size: all of them are in `staging`. */
  private readonly stagedBlobs = new Map<string, number>();
  private topManifest: Uint8Array | undefined;
  /** Instance manifests by file name. */
  private readonly instanceManifests = new Map<string, Uint8Array>();
  /** Encoded signatures by instance digest ("" for the top-level manifest). */
  private readonly signatureSets = new Map<string, SignatureSet>();
  /** Some file is named `<algorithm>-<hex>`: the layout is version 1.2. */
  private usesAlgorithmPrefixedNames = false;
  private state: State = 'open';

  private constructor(
    readonly reference: DirDestinationReference,
    desiredLayerCompression: LayerCompression,
    /** This destination's private staging directory, inside the destination directory. */
    private readonly staging: string,
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
    // Another writer that created the directory may remove it again (giving up) between our check
    // and our staging directory: then it is gone and empty, and we start over.
    for (let attempt = 1; ; attempt++) {
      const createdDir = await prepareDirectory(dir, ctx);
      const staging = tempPath(dir, 'stage');
      try {
        await mkdir(staging, { mode: 0o755 });
      } catch (error) {
        if (createdDir !== undefined) await removeCreatedDirs(dir, createdDir);
        if (errorCode(error) === 'ENOENT' && attempt < 3) continue;
        throw asSkopeoError('creating a staging directory in', dir, error);
      }
      return new DirImageDestination(reference, compression, staging, createdDir, ctx.debug);
    }
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

  private closedWhileWriting(cause?: unknown): SkopeoError {
    return new SkopeoError(
      'ABORTED',
      `the dir:${this.dir} destination was closed while writing a blob`,
      cause === undefined ? {} : { cause },
    );
  }

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    this.assertOpen('putBlob');
    const what = `blob ${info.digest ?? '(digest computed while writing)'}`;
    const temp = tempPath(this.staging, 'blob');
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
      await rename(temp, join(this.staging, name));
      // close() ran while this blob was being written: it removed the staging directory.
      if (this.state !== 'open') throw this.closedWhileWriting();
      this.stagedBlobs.set(name, size);
      if (!hasBareHexName(digest)) this.usesAlgorithmPrefixedNames = true;
      return {
        digest,
        size,
        ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
        ...(info.annotations === undefined ? {} : { annotations: info.annotations }),
      };
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      if (this.state === 'closed' && isMissing(error)) throw this.closedWhileWriting(error);
      throw asSkopeoError(`writing ${what} into`, this.dir, error);
    }
  }

  /**
   * Reuses a blob this destination already staged, or one the directory already holds (from the
   * image there) of the right size, which is hard-linked into the staging directory.
   */
  async tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    this.assertOpen('tryReusingBlob');
    throwIfAborted(options.signal);
    const name = blobFileName(info.digest);
    const size = this.stagedBlobs.get(name) ?? (await this.stageExisting(name, info));
    // A file of another size is damaged (or truncated): write the blob again instead.
    if (size === undefined || (info.size >= 0 && size !== info.size)) return undefined;
    if (!hasBareHexName(info.digest)) this.usesAlgorithmPrefixedNames = true;
    return {
      digest: info.digest,
      size,
      ...(info.mediaType === undefined ? {} : { mediaType: info.mediaType }),
    };
  }

  /** Hard-links the directory's blob file `name` into the staging directory; its size, or undefined. */
  private async stageExisting(name: string, info: BlobInfo): Promise<number | undefined> {
    const path = join(this.dir, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || (info.size >= 0 && stats.size !== info.size)) return undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw asSkopeoError(`checking for blob ${info.digest} at`, path, error);
    }
    const staged = join(this.staging, name);
    try {
      await link(path, staged);
    } catch (error) {
      // EEXIST: a putBlob of the same blob staged it meanwhile. Anything else (the file just went
      // away, a file system without hard links): the blob is written again instead.
      if (errorCode(error) !== 'EEXIST') {
        if (!isMissing(error)) {
          this.debug?.(`dir: cannot hard-link ${path} for reuse (${errorCode(error)}); writing it again`);
        }
        return undefined;
      }
    }
    let size: number;
    try {
      size = (await stat(staged)).size;
    } catch {
      return undefined; // close() removed the staging directory meanwhile
    }
    if (this.state !== 'open') return undefined;
    this.stagedBlobs.set(name, size);
    return size;
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
    // From here on, close() must not roll back unless the commit fails before the image is visible.
    this.state = 'committing';
    const files = new Map<string, Uint8Array>(this.instanceManifests);
    for (const { instanceDigest, files: signatures } of this.signatureSets.values()) {
      signatures.forEach((bytes, index) => {
        files.set(signatureFileName(index, instanceDigest), bytes);
      });
    }
    let visible = false;
    try {
      await withDirLock(
        this.dir,
        async () => {
          await this.publish(top, files, () => {
            visible = true;
          });
        },
        { signal: options.signal, debug: this.debug },
      );
    } catch (error) {
      if (!visible) this.state = 'failed';
      throw error;
    }
    this.state = 'committed';
    // What is left in it are hard links to blobs now in place: not needed any more.
    await this.removeStaging();
  }

  /**
   * Replaces the directory's image with this one; runs under the directory lock. Until `onVisible`
   * is called (manifest.json names the new image), a failure takes back every file it added.
   */
  private async publish(
    top: Uint8Array,
    files: Map<string, Uint8Array>,
    onVisible: () => void,
  ): Promise<void> {
    const entries = await this.listEntries();
    const before = new Set(entries);
    const keep = new Set([...this.stagedBlobs.keys(), ...files.keys(), MANIFEST_FILE, VERSION_FILE]);
    const stale = entries.filter((name) => !keep.has(name) && !isOwnFileName(name));
    if (stale.length > 0) this.debug?.(`dir:${this.dir}: replacing the previous image`);
    const added: string[] = [];
    try {
      for (const name of this.stagedBlobs.keys()) {
        const target = join(this.dir, name);
        try {
          await rename(join(this.staging, name), target);
        } catch (error) {
          throw asSkopeoError('placing the blob', target, error);
        }
        if (!before.has(name)) added.push(name);
      }
      // Old signatures go first: they must never appear to sign the new manifest.
      await this.removeEntries(stale.filter(isSignatureFileName));
      for (const [name, bytes] of files) {
        await writeFileAtomic(this.dir, name, bytes);
        if (!before.has(name)) added.push(name);
      }
      await writeFileAtomic(this.dir, MANIFEST_FILE, top);
    } catch (error) {
      // manifest.json still names the previous image (if any): take back what was added for ours.
      for (const name of added) await rm(join(this.dir, name), { force: true }).catch(() => {});
      throw error;
    }
    onVisible();
    await this.removeEntries(stale.filter((name) => !isSignatureFileName(name)));
    await this.removeLeftovers(entries.filter(isTempFileName));
    const version = this.usesAlgorithmPrefixedNames ? VERSION_1_2 : VERSION_1_1;
    await writeFileAtomic(this.dir, VERSION_FILE, formatVersion(version));
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

  /**
   * Removes temp files and staging directories of writers that are gone: on this host with their
   * process no longer running, of a form older versions wrote, or untouched for STALE_TEMP_MS.
   * Other live writers' ones stay. Best effort: a failure here never fails the commit.
   */
  private async removeLeftovers(names: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const name of names) {
      const path = join(this.dir, name);
      if (path === this.staging) continue;
      const owner = tempNameOwner(name);
      const sameHost = owner !== undefined && owner.host === TEMP_HOST;
      if (sameHost && (owner.pid === process.pid || processIsAlive(owner.pid))) continue;
      if (owner !== undefined && !sameHost) {
        const stats = await lstat(path).catch(() => undefined);
        if (stats === undefined || now - stats.mtimeMs < STALE_TEMP_MS) continue;
      }
      this.debug?.(`dir:${this.dir}: removing ${name}, left by a writer that is gone`);
      await rm(path, { recursive: true, force: true }).catch((error: unknown) => {
        this.debug?.(`dir: could not remove ${path}: ${(error as Error).message}`);
      });
    }
  }

  /** Best effort: a staging directory left behind is removed by a later writer. */
  private async removeStaging(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true }).catch((error: unknown) => {
      this.debug?.(
        `dir: could not remove the staging directory ${this.staging}: ${(error as Error).message}`,
      );
    });
  }

  /** Never throws: a failed cleanup must not hide the error that made the copy fail. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const rollback = this.state === 'open' || this.state === 'failed';
    this.state = 'closed';
    await this.removeStaging();
    if (rollback && this.createdDir !== undefined) await removeCreatedDirs(this.dir, this.createdDir);
  }
}

/**
 * Creates `dir` if needed (returning the first directory created), or checks that the existing
 * one can take an image.
 */
async function prepareDirectory(dir: string, ctx: Context): Promise<string | undefined> {
  const existing = await stat(dir).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw asSkopeoError('opening destination directory', dir, error);
  });
  if (existing === undefined) {
    try {
      return await mkdir(dir, { recursive: true, mode: 0o755 });
    } catch (error) {
      throw asSkopeoError('creating destination directory', dir, error);
    }
  }
  if (!existing.isDirectory()) {
    const cause = Object.assign(new Error('it exists and is not a directory'), { code: 'ENOTDIR' });
    throw new IoError('opening destination directory', dir, cause);
  }
  await checkOverwritable(dir, ctx);
  return undefined;
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

/**
 * Runs `critical` holding the directory's commit lock, `.skopeo-ts-lock` (@skopeo-ts/file-lock).
 * A stale lock is moved aside under one of our temp names: should this process die before it
 * removes it, what is left is ours (never taken for image data), and the next commit removes it.
 */
function withDirLock<T>(
  dir: string,
  critical: () => Promise<T>,
  { signal, debug }: Pick<FileLockOptions, 'signal' | 'debug'>,
): Promise<T> {
  return withFileLock(join(dir, LOCK_FILE), critical, {
    signal,
    debug: debug === undefined ? undefined : (message) => debug(`dir: ${message}`),
    stalePath: () => tempPath(dir, 'stalelock'),
  });
}

async function checkOverwritable(dir: string, ctx: Context): Promise<void> {
  let entries = await listDirectory(dir);
  // Leftovers of an interrupted copy of ours (and other writers' staging) do not make it "used".
  if (entries.every(isOwnFileName)) return;
  let version = await readVersionFile(dir);
  if (version.kind !== 'valid' && entries.some(isOwnFileName)) {
    // A writer of ours is (or was) at work here, and a first commit writes `version` last: look
    // again once no commit is running.
    await withDirLock(
      dir,
      async () => {
        entries = await listDirectory(dir);
        version = await readVersionFile(dir);
      },
      { signal: ctx.signal, debug: ctx.debug },
    );
    // What a first commit of ours that died half-way leaves: image files and our own, nothing else.
    if (version.kind === 'missing' && entries.every((name) => isOwnFileName(name) || isImageFileName(name))) {
      return;
    }
  }
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

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    throw asSkopeoError('reading destination directory', dir, error);
  }
}

/** The layer compression asked for through `ctx.transportOptions.dir` (see DirTransportOptions). */
function layerCompressionFrom(ctx: Context): LayerCompression {
  const options = ctx.transportOptions?.[DIR_TRANSPORT_NAME] ?? {};
  const flag = (name: keyof DirTransportOptions): boolean => {
    const value = options[name];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') {
      throw new SkopeoError(
        'INVALID_ARGUMENT',
        `transportOptions.${DIR_TRANSPORT_NAME}.${name} must be true or false, not ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  const compress = flag('compress');
  const decompress = flag('decompress');
  if (compress && decompress) {
    throw new SkopeoError(
      'INVALID_ARGUMENT',
      'cannot compress and decompress layers at the same time (--dest-compress with --dest-decompress)',
    );
  }
  return compress ? 'compress' : decompress ? 'decompress' : 'preserve';
}
