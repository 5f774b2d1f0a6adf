// Writing an image into a store. Blobs are staged to temporary files as they arrive (in any
// order, concurrently); commit() creates the layers in order (each under layers.lock, reusing
// layers that exist), checking every DiffID against the config, then records the image.
// Nothing is visible to podman before commit, and close() without commit removes the staging.
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BlobInfo,
  type CommitOptions,
  type Context,
  contextEnv,
  configInfo,
  type Digest,
  DigestMismatchError,
  type ImageDestination,
  type ImageReference,
  isParsedManifestList,
  layerInfos,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_MANIFEST,
  manifestDigest,
  parseManifest,
  guessManifestMediaType,
  type PutBlobInfo,
  type PutBlobOptions,
  type PutManifestOptions,
  type ReusedBlob,
  type Signature,
  SkopeoError,
  type TryReusingBlobOptions,
  UnsupportedError,
} from '@skopeo-ts/core';
import { MANIFEST_KEY, manifestKey, sha256Of, signatureKey } from './store/big-data.js';
import type { BigDataItem } from './store/image-writer.js';
import { recordImage } from './store/image-writer.js';
import { layerId } from './store/layer-id.js';
import { layerTar } from './store/layer-reader.js';
import { createLayer } from './store/layer-writer.js';
import type { Store } from './store/store.js';
import { type StagedBlob, type StagingPlaces, stageConfig, stageLayer } from './stage-blob.js';
import { makeStagingDirectory } from './staging.js';
import { configCreated, configDiffIds } from './image-config.js';
import { Measure } from './measure.js';

const BIG_FILES_TMPDIR = '/var/tmp';

export class StorageImageDestination implements ImageDestination {
  readonly supportedManifestTypes = [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_V2S2_MANIFEST];
  // Layers are stored as sent and the manifest as written, as containers/image does: the image
  // keeps its digest. The store's source serves layers uncompressed (layerInfosForCopy).
  readonly desiredLayerCompression = 'preserve' as const;
  readonly acceptsForeignLayers = true;
  readonly supportsSignatures = true;
  readonly threadSafe = true;
  readonly supportsManifestLists = false;

  private readonly staged = new Map<string, StagedBlob>();
  /** Blobs the store already has as layers: blob digest → DiffID. */
  private readonly reusedDiffIds = new Map<string, string>();
  private manifest: Uint8Array | undefined;
  private signatures: Signature[] = [];
  private counter = 0;

  /** A reference with a digest takes only the manifest of that digest (as containers/image). */
  readonly mustMatchDigest: Digest | undefined;

  private constructor(
    readonly reference: ImageReference,
    private readonly store: Store,
    private readonly name: string | undefined,
    private readonly places: StagingPlaces,
  ) {
    this.mustMatchDigest = reference.dockerReference?.digest;
  }

  static async open(reference: ImageReference, store: Store, name: string | undefined, ctx: Context) {
    await store.initForWriting();
    // Blobs are staged whole: use a disk-backed directory, as containers/image does (/var/tmp).
    const base = ctx.tmpDir ?? contextEnv(ctx, 'TMPDIR') ?? BIG_FILES_TMPDIR;
    const files = await makeStagingDirectory(base);
    const home = store.driver.stagingHome;
    const diffs = home === undefined ? undefined : await makeStagingDirectory(home);
    return new StorageImageDestination(reference, store, name, { files, diffs });
  }

  private nextName(): string {
    return `blob-${this.counter++}`;
  }

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    const name = this.nextName();
    const staged = options.isConfig
      ? await stageConfig(stream, join(this.places.files, name), options.signal)
      : await stageLayer(stream, this.places, this.store.driver, name, options.signal);
    const problem =
      info.digest?.startsWith('sha256:') && info.digest !== staged.digest
        ? new DigestMismatchError(`blob ${info.digest}`, info.digest, staged.digest)
        : options.expectedDiffID !== undefined &&
            staged.diffId !== undefined &&
            options.expectedDiffID !== staged.diffId
          ? new DigestMismatchError(
              `layer ${staged.digest} (uncompressed)`,
              options.expectedDiffID,
              staged.diffId,
            )
          : undefined;
    if (problem !== undefined) {
      await discard(staged);
      throw problem;
    }
    this.staged.set(staged.digest, staged);
    return {
      digest: staged.digest as Digest,
      size: staged.size,
      ...(info.mediaType ? { mediaType: info.mediaType } : {}),
    };
  }

  /**
   * A staged blob, or a layer the store already has, found as containers/image finds it: by
   * DiffID, by the compressed digest it was created from, or (when the manifest gives the size
   * or the blob may be substituted) through the DiffID the blob is known to decompress to. The
   * blob keeps its digest when the manifest can stay as it is; a substitute is the stored tar.
   */
  async tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    const staged = this.staged.get(info.digest);
    if (staged !== undefined) return { digest: info.digest, size: staged.size };
    if (options.isConfig) return undefined;
    const records = await this.store.withLayers('read', async (layers) => layers);
    const byDiffId = (digest: string | undefined) =>
      digest === undefined ? undefined : records.find((record) => record['diff-digest'] === digest);
    const stored = byDiffId(info.digest);
    if (stored?.['diff-digest'] !== undefined) {
      this.reusedDiffIds.set(info.digest, stored['diff-digest']);
      return { digest: info.digest, size: stored['diff-size'] ?? -1 };
    }
    const fromBlob = records.find((record) => record['compressed-diff-digest'] === info.digest);
    if (fromBlob?.['diff-digest'] !== undefined) {
      this.reusedDiffIds.set(info.digest, fromBlob['diff-digest']);
      return { digest: info.digest, size: fromBlob['compressed-size'] ?? info.size };
    }
    if (!options.canSubstitute && info.size === -1) return undefined;
    const known = options.cache.uncompressedDigest(info.digest) ?? options.expectedDiffID;
    const twin = known === info.digest ? undefined : byDiffId(known);
    const diffId = twin?.['diff-digest'];
    if (twin === undefined || diffId === undefined) return undefined;
    if (info.size !== -1) {
      this.reusedDiffIds.set(info.digest, diffId);
      return { digest: info.digest, size: info.size };
    }
    this.reusedDiffIds.set(diffId, diffId);
    return {
      digest: diffId as Digest,
      size: twin['diff-size'] ?? -1,
      compression: 'none',
      ...(info.mediaType === undefined ? {} : { mediaType: uncompressedMediaType(info.mediaType) }),
    };
  }

  async putManifest(bytes: Uint8Array, options?: PutManifestOptions): Promise<void> {
    if (options?.instanceDigest !== undefined) {
      throw new UnsupportedError('containers-storage: stores one image per reference, not manifest lists');
    }
    this.manifest = bytes;
  }

  async putSignatures(signatures: Signature[]): Promise<void> {
    for (const signature of signatures) {
      if (signature.kind !== 'simple-signing') {
        throw new UnsupportedError('containers-storage: stores simple signing signatures only', {
          hint: 'use --remove-signatures to copy without them',
        });
      }
    }
    this.signatures = signatures;
  }

  async commit(options?: CommitOptions): Promise<void> {
    const signal = options?.signal;
    const label = this.reference.toString();
    const manifestBytes = this.manifest;
    if (manifestBytes === undefined)
      throw new SkopeoError('INTERNAL', `${label}: commit before the manifest was written`);
    const mediaType = guessManifestMediaType(manifestBytes);
    const parsed = parseManifest(manifestBytes, mediaType);
    if (isParsedManifestList(parsed)) {
      throw new UnsupportedError(`${label}: a manifest list cannot be stored as one image`);
    }
    const config = configInfo(parsed);
    if (config === undefined)
      throw new UnsupportedError(`${label}: schema 1 manifests are not stored; convert the image`);
    const configBlob = this.staged.get(config.digest);
    if (configBlob === undefined)
      throw new SkopeoError('INTERNAL', `${label}: the config ${config.digest} was never written`);
    if (configBlob.content.kind !== 'raw')
      throw new SkopeoError('INTERNAL', `${label}: the config ${config.digest} was staged as a layer`);
    const configBytes = await readFile(configBlob.content.path);
    const diffIds = configDiffIds(configBytes, label);
    const layers = layerInfos(parsed).filter((layer) => !layer.emptyLayer);
    if (diffIds.length !== layers.length) {
      throw new SkopeoError(
        'INVALID_MANIFEST',
        `${label}: the manifest has ${layers.length} layers but the config lists ${diffIds.length} DiffIDs`,
      );
    }

    let parent: string | undefined;
    for (const [index, layer] of layers.entries()) {
      const expected = diffIds[index] as string;
      const known = this.reusedDiffIds.get(layer.digest);
      if (known !== undefined && known !== expected) {
        throw new DigestMismatchError(`layer ${index} (${layer.digest})`, expected, known);
      }
      const id = layerId(parent, expected);
      const staged =
        this.takeStaged(layer.digest, expected) ?? (await this.stageFromStoredLayer(id, expected, label));
      if (staged !== undefined && staged.content.kind !== 'raw') {
        await createLayer(
          this.store,
          {
            id,
            parent,
            digest: staged.digest,
            size: staged.size,
            compression: staged.compression,
            expectedDiffId: expected,
            content: staged.content,
          },
          signal,
        );
      }
      parent = id;
    }

    const digest = manifestDigest(manifestBytes, mediaType, 'sha256');
    const signatureBytes = Buffer.concat(
      this.signatures.map((s) => (s.kind === 'simple-signing' ? s.bytes : new Uint8Array())),
    );
    const bigData: BigDataItem[] = [
      { key: config.digest, bytes: configBytes, digest: sha256Of(configBytes) },
      { key: manifestKey(digest), bytes: manifestBytes, digest },
      { key: MANIFEST_KEY, bytes: manifestBytes, digest },
      // skopeo 1.9.3 reads the legacy `signatures` item, so it is written too when there are any.
      ...(signatureBytes.length === 0
        ? []
        : [{ key: 'signatures', bytes: signatureBytes, digest: sha256Of(signatureBytes) }]),
      { key: signatureKey(digest), bytes: signatureBytes, digest: sha256Of(signatureBytes) },
    ];
    // Layers may not vanish between their creation and the image record: hold layers.lock.
    await this.store.withLayers(
      'read',
      async (records) => {
        if (parent !== undefined && !records.some((record) => record.id === parent)) {
          throw new SkopeoError(
            'CONFLICT',
            `${label}: layer ${parent} was deleted while the image was written`,
          );
        }
        await recordImage(
          this.store,
          {
            id: config.digest.replace(/^sha256:/, ''),
            digest,
            name: this.name,
            topLayer: parent,
            created: configCreated(configBytes),
            bigData,
            signatureSizes: {
              [digest]: this.signatures.map((s) => (s.kind === 'simple-signing' ? s.bytes.length : 0)),
            },
          },
          signal,
        );
      },
      signal,
    );
  }

  /**
   * The staged blob for a layer (by its digest, else its DiffID). An unpacked diff fills one
   * layer only: it is handed out once (a blob repeated in the manifest is then staged again from
   * the layer it made).
   */
  private takeStaged(digest: string, diffId: string): StagedBlob | undefined {
    for (const key of [digest, diffId]) {
      const staged = this.staged.get(key);
      if (staged === undefined || staged.content.kind === 'raw') continue;
      if (staged.content.kind === 'unpacked') this.staged.delete(key);
      return staged;
    }
    return undefined;
  }

  /**
   * For a reused blob: undefined when the layer itself exists; else a copy of the tar of a stored
   * layer with the same DiffID at another place in a chain (its ID differs: parents are part of
   * it), staged to create this one, as containers/image does.
   */
  private async stageFromStoredLayer(
    id: string,
    diffId: string,
    label: string,
  ): Promise<StagedBlob | undefined> {
    const { present, twin } = await this.store.withLayers('read', async (records) => ({
      present: records.some((record) => record.id === id),
      twin: records.find((record) => record['diff-digest'] === diffId),
    }));
    if (present) return undefined;
    if (twin === undefined) {
      throw new SkopeoError(
        'CONFLICT',
        `${label}: layer ${diffId} was reused from the store but is gone from it`,
        {
          hint: 'copy again: the store changed during the copy',
        },
      );
    }
    const path = join(this.places.files, `${this.nextName()}.tar`);
    const measure = new Measure();
    await pipeline(
      await layerTar(this.store, twin, label),
      measure,
      createWriteStream(path, { mode: 0o600 }),
    );
    const digest = measure.digest();
    return { digest, size: measure.size, compression: 0, diffId: digest, content: { kind: 'tar', path } };
  }

  async close(): Promise<void> {
    await rm(this.places.files, { recursive: true, force: true });
    if (this.places.diffs !== undefined) await rm(this.places.diffs, { recursive: true, force: true });
  }
}

/** Removes what a blob was staged as. */
async function discard(staged: StagedBlob): Promise<void> {
  const { content } = staged;
  if (content.kind === 'unpacked') {
    await rm(content.diffDir, { recursive: true, force: true });
    await rm(content.tarSplitPath, { force: true });
  } else {
    await rm(content.path, { force: true });
  }
}

/** The media type of the same layer uncompressed (`…tar+gzip` → `…tar`, docker `tar.gzip` → `tar`). */
function uncompressedMediaType(mediaType: string): string {
  return mediaType.replace(/\+(gzip|zstd)$/, '').replace(/\.tar\.gzip$/, '.tar');
}
