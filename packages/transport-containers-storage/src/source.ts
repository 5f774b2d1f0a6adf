// Reading an image out of a store the way containers/image does: manifest and config from big
// data, layers rebuilt byte for byte from tar-split plus the driver's files and served
// uncompressed (so their digests are the DiffIDs), signatures split by the recorded sizes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobStream,
  type Digest,
  type GetBlobOptions,
  guessManifestMediaType,
  ImageNotFoundError,
  type ImageReference,
  type ImageSource,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_LAYER_TAR,
  type ManifestBlob,
  type ReadOptions,
  type Signature,
  SkopeoError,
  throwIfAborted,
} from '@skopeo-ts/core';
import type { ParsedStorageReference } from './reference-text.js';
import { bigDataFileName, MANIFEST_KEY, manifestKey, signatureKey } from './store/big-data.js';
import { layerTar } from './store/layer-reader.js';
import { layerChain, requireImage } from './store/lookup.js';
import { type ImageRecord, isIncomplete, type LayerRecord, readRecords } from './store/records.js';
import type { Store } from './store/store.js';

export class StorageImageSource implements ImageSource {
  readonly threadSafe = true;
  private readonly reading = new Set<Readable>();

  private constructor(
    readonly reference: ImageReference,
    private readonly store: Store,
    private readonly image: ImageRecord,
    private readonly layers: LayerRecord[],
    private readonly wantedDigest: string | undefined,
  ) {}

  static async open(
    reference: ImageReference,
    store: Store,
    parsed: ParsedStorageReference,
  ): Promise<StorageImageSource> {
    const label = reference.toString();
    await store.requireExisting(label);
    const image = await store.withImages('read', async (images) => requireImage(images, parsed, label));
    const layers = await store.withLayers('read', async (records) => layerChain(records, image.layer, label));
    return new StorageImageSource(reference, store, image, layers, parsed.name?.digest);
  }

  private async bigData(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.store.imageDir(this.image.id), bigDataFileName(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async getManifest(instanceDigest?: Digest, options?: ReadOptions): Promise<ManifestBlob> {
    throwIfAborted(options?.signal);
    const wanted = instanceDigest ?? this.wantedDigest;
    const key = wanted === undefined ? MANIFEST_KEY : manifestKey(wanted);
    const bytes =
      (await this.bigData(key)) ?? (wanted === undefined ? undefined : await this.bigData(MANIFEST_KEY));
    if (bytes === undefined) {
      throw new ImageNotFoundError(
        `${this.reference.toString()}: image ${this.image.id} has no manifest (big data "${key}")`,
      );
    }
    return { bytes, mediaType: guessManifestMediaType(bytes) || MEDIA_TYPE_DOCKER_V2S2_MANIFEST };
  }

  /** Layers as stored: uncompressed, with their DiffIDs as digests. */
  async layerInfosForCopy(_instanceDigest?: Digest, options?: ReadOptions): Promise<BlobInfo[]> {
    const { mediaType } = await this.getManifest(undefined, options);
    const layerType =
      mediaType === MEDIA_TYPE_DOCKER_V2S2_MANIFEST
        ? MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR
        : MEDIA_TYPE_OCI_LAYER_TAR;
    return this.layers.map((layer) => ({
      digest: diffIdOf(layer, this.reference.toString()) as Digest,
      size: layer['diff-size'] ?? -1,
      mediaType: layerType,
    }));
  }

  async getBlob(info: BlobInfo, options?: GetBlobOptions): Promise<BlobStream> {
    throwIfAborted(options?.signal);
    const label = this.reference.toString();
    const layer = this.layers.find((candidate) => candidate['diff-digest'] === info.digest);
    if (layer === undefined) {
      const config = await this.bigData(info.digest);
      if (config === undefined) {
        // The store keeps a layer's files, not the compressed blob it came as: that blob cannot
        // be rebuilt, only the uncompressed tar (its DiffID), as containers/image serves it.
        const compressed = this.layers.find(
          (candidate) => candidate['compressed-diff-digest'] === info.digest,
        );
        throw new ImageNotFoundError(
          compressed === undefined
            ? `${label}: blob ${info.digest} is not in the image`
            : `${label}: layer ${info.digest} is stored uncompressed; read it as ${compressed['diff-digest']} (layerInfosForCopy)`,
        );
      }
      return { stream: Readable.from([config]), size: config.length };
    }
    // Like containers/storage, keep layers.lock (shared) until the layer has been read out.
    const lock = await this.store.lockLayers('read', options?.signal);
    let stream: Readable;
    try {
      const records = await readRecords<LayerRecord>(this.store.layersJson);
      if (!records.some((record) => record.id === layer.id && !isIncomplete(record))) {
        throw new ImageNotFoundError(
          `${label}: layer ${layer.id} was deleted from the store while the image was read`,
        );
      }
      stream = await layerTar(this.store, layer, label);
    } catch (error) {
      await lock.release();
      throw error;
    }
    this.reading.add(stream);
    stream.once('close', () => {
      this.reading.delete(stream);
      void lock.release();
    });
    return { stream, size: layer['diff-size'] ?? -1 };
  }

  async getSignatures(instanceDigest?: Digest, options?: ReadOptions): Promise<Signature[]> {
    throwIfAborted(options?.signal);
    const digest = instanceDigest ?? this.wantedDigest ?? this.image.digest;
    if (digest === undefined) return [];
    const sizes = signatureSizes(this.image, digest);
    const blob =
      sizes === undefined ? await this.bigData('signatures') : await this.bigData(signatureKey(digest));
    if (blob === undefined || blob.length === 0) return [];
    const lengths = sizes ?? legacySignatureSizes(this.image);
    const signatures: Signature[] = [];
    let offset = 0;
    for (const length of lengths) {
      signatures.push({ kind: 'simple-signing', bytes: blob.subarray(offset, offset + length) });
      offset += length;
    }
    return signatures;
  }

  /** Stops layer reads still going (their locks are released as they close). */
  async close(): Promise<void> {
    for (const stream of this.reading) stream.destroy();
    this.reading.clear();
  }
}

function diffIdOf(layer: LayerRecord, label: string): string {
  const digest = layer['diff-digest'] ?? (layer.flags?.['expected-layer-diffid'] as string | undefined);
  if (digest === undefined)
    throw new SkopeoError('CORRUPT', `${label}: layer ${layer.id} has no diff digest`);
  return digest;
}

function parseMetadata(image: ImageRecord): Record<string, unknown> {
  try {
    const parsed = JSON.parse(image.metadata ?? '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function signatureSizes(image: ImageRecord, digest: string): number[] | undefined {
  const sizes = parseMetadata(image)['signatures-sizes'] as Record<string, number[]> | undefined;
  return sizes?.[digest];
}

function legacySignatureSizes(image: ImageRecord): number[] {
  return (parseMetadata(image)['signature-sizes'] as number[] | undefined) ?? [];
}
