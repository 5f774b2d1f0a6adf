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
import { makeStagingDirectory } from './staging.js';
import { configCreated, configDiffIds } from './image-config.js';
import { Measure } from './measure.js';

const BIG_FILES_TMPDIR = '/var/tmp';

interface StagedBlob {
  path: string;
  digest: string;
  size: number;
}

export class StorageImageDestination implements ImageDestination {
  readonly supportedManifestTypes = [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_V2S2_MANIFEST];
  readonly desiredLayerCompression = 'decompress' as const;
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
    private readonly staging: string,
  ) {
    this.mustMatchDigest = reference.dockerReference?.digest;
  }

  static async open(reference: ImageReference, store: Store, name: string | undefined, ctx: Context) {
    await store.initForWriting();
    // Layers are staged whole: use a disk-backed directory, as containers/image does (/var/tmp).
    const base = ctx.tmpDir ?? contextEnv(ctx, 'TMPDIR') ?? BIG_FILES_TMPDIR;
    const staging = await makeStagingDirectory(base);
    return new StorageImageDestination(reference, store, name, staging);
  }

  async putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    const path = join(this.staging, `blob-${this.counter++}`);
    const measure = new Measure();
    await pipeline(stream, measure, createWriteStream(path, { mode: 0o600 }), { signal: options.signal });
    const digest = measure.digest();
    if (info.digest?.startsWith('sha256:') && info.digest !== digest) {
      await rm(path, { force: true });
      throw new DigestMismatchError(`blob ${info.digest}`, info.digest, digest);
    }
    this.staged.set(digest, { path, digest, size: measure.size });
    return {
      digest: digest as Digest,
      size: measure.size,
      ...(info.mediaType ? { mediaType: info.mediaType } : {}),
    };
  }

  /**
   * A staged blob, or a layer the store already has. Stored layers are uncompressed, so a
   * compressed blob is answered with the layer's DiffID (when substitution is allowed): the
   * manifest then names what the store really holds, as the store's source will serve it.
   */
  async tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    const staged = this.staged.get(info.digest);
    if (staged !== undefined) return { digest: info.digest, size: staged.size };
    if (options.isConfig) return undefined;
    const wanted = new Set([
      info.digest,
      options.cache.uncompressedDigest(info.digest),
      options.expectedDiffID,
    ]);
    const found = await this.store.withLayers('read', async (records) =>
      records.find(
        (record) =>
          record['diff-digest'] === info.digest ||
          (options.canSubstitute &&
            (wanted.has(record['diff-digest'] as Digest) ||
              record['compressed-diff-digest'] === info.digest)),
      ),
    );
    const diffId = found?.['diff-digest'];
    if (found === undefined || diffId === undefined) return undefined;
    this.reusedDiffIds.set(diffId, diffId);
    const size = found['diff-size'] ?? -1;
    if (diffId === info.digest) return { digest: info.digest, size };
    return {
      digest: diffId as Digest,
      size,
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
    const configBytes = await readFile(configBlob.path);
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
        this.staged.get(layer.digest) ??
        this.staged.get(expected) ??
        (await this.stageFromStoredLayer(id, expected, label));
      if (staged !== undefined) {
        await createLayer(
          this.store,
          {
            id,
            parent,
            path: staged.path,
            digest: staged.digest,
            size: staged.size,
            expectedDiffId: expected,
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
    const path = join(this.staging, `blob-${this.counter++}`);
    const measure = new Measure();
    await pipeline(
      await layerTar(this.store, twin, label),
      measure,
      createWriteStream(path, { mode: 0o600 }),
    );
    const blob = { path, digest: measure.digest(), size: measure.size };
    this.staged.set(blob.digest, blob);
    return blob;
  }

  async close(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
  }
}

/** The media type of the same layer uncompressed (`…tar+gzip` → `…tar`, docker `tar.gzip` → `tar`). */
function uncompressedMediaType(mediaType: string): string {
  return mediaType.replace(/\+(gzip|zstd)$/, '').replace(/\.tar\.gzip$/, '.tar');
}
