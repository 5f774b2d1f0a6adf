import { setMaxListeners } from 'node:events';
// copyImage: the copy engine. Transports move bytes and metadata; everything else is decided here:
// manifest type, list instances, blob reuse, compression, verification, signatures, progress.
import type { BlobInfoCache } from '../contracts/blob-info-cache.js';
import { MemoryBlobInfoCache } from '../contracts/blob-info-cache.js';
import type { ProgressSink } from '../contracts/context.js';
import type { ImageDestination } from '../contracts/destination.js';
import type { ImageReference } from '../contracts/reference.js';
import type { ImageSource } from '../contracts/source.js';
import type { BlobInfo, Signature } from '../contracts/types.js';
import { type Digest, isDigest } from '../digest.js';
import {
  AbortedError,
  DigestMismatchError,
  isSkopeoError,
  throwIfAborted,
  UnsupportedError,
} from '../errors.js';
import { editManifest } from '../manifest/builder.js';
import { manifestDigest, manifestMatchesDigest } from '../manifest/digest.js';
import {
  isParsedManifestList,
  layerInfos,
  listInstances,
  configInfo,
  parseManifestBlob,
} from '../manifest/parse.js';
import type { ParsedImageManifest, ParsedManifest, ParsedManifestList } from '../manifest/parse.js';
import { chooseInstance, formatPlatform, wantedPlatform } from '../manifest/platform.js';
import { type CopiedBlob, type CopyBlobRequest, copyBlob } from './blob.js';
import { withRetries } from '../retry.js';
import { layerMediaTypeCompression } from '../manifest/media-types.js';
import { type CompressionWish, planCompression } from './layer-compression.js';
import { mapWithConcurrency } from './limiter.js';
import { chooseManifestType, type PreserveReason, preserveText } from './manifest-type.js';
import { type CopyOptions, type CopyResult, DEFAULT_CONCURRENCY } from './options.js';
import { diffIDsOf, readSmallBlob } from './read-blob.js';

/** Copies the image `source` names to `destination`; nothing is visible there unless it all worked. */
export async function copyImage(
  sourceRef: ImageReference,
  destinationRef: ImageReference,
  options: CopyOptions = {},
): Promise<CopyResult> {
  // Every blob in flight adds abort listeners (source read, pipeline, destination write): a
  // private child signal without a listener limit keeps Node from warning on big images.
  const signal = options.signal === undefined ? undefined : AbortSignal.any([options.signal]);
  if (signal) setMaxListeners(0, signal);
  throwIfAborted(signal);
  const sourceCtx = { ...options.sourceContext, ...(signal ? { signal } : {}) };
  const destinationCtx = { ...options.destinationContext, ...(signal ? { signal } : {}) };
  const source = await sourceRef.newSource(sourceCtx);
  let failed = false;
  try {
    const destination = await destinationRef.newDestination(destinationCtx);
    try {
      const copier = new ImageCopier(source, destination, signal ? { ...options, signal } : options);
      const result = await copier.copyTopLevel();
      throwIfAborted(signal);
      await destination.commit({ ...(signal ? { signal } : {}), unparsedToplevel: result.manifest });
      return result;
    } catch (error) {
      failed = true;
      throw asAbortedIf(signal, error);
    } finally {
      await closeQuietly(() => destination.close(), failed);
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await closeQuietly(() => source.close(), failed);
  }
}

/** Once the caller aborted, whatever broke on the way out is reported as the abort it is. */
function asAbortedIf(signal: AbortSignal | undefined, error: unknown): unknown {
  if (!signal?.aborted || isSkopeoError(error, 'ABORTED')) return error;
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new AbortedError(`copy aborted${reason}`, { cause: error });
}

/** A failing close() must not hide the error that made the copy fail; alone, it is the error. */
async function closeQuietly(close: () => Promise<void>, alreadyFailed: boolean): Promise<void> {
  try {
    await close();
  } catch (error) {
    if (!alreadyFailed) throw error;
  }
}

interface WrittenManifest {
  bytes: Uint8Array;
  mediaType: string;
  digest: Digest;
}

class ImageCopier {
  private readonly cache: BlobInfoCache;
  private readonly signal: AbortSignal | undefined;
  private readonly progress: ProgressSink | undefined;
  private readonly concurrency: number;
  private readonly compression: CompressionWish;

  constructor(
    private readonly source: ImageSource,
    private readonly destination: ImageDestination,
    private readonly options: CopyOptions,
  ) {
    this.cache = options.cache ?? new MemoryBlobInfoCache();
    this.signal = options.signal;
    this.progress = options.progress;
    const parallel = source.threadSafe && destination.threadSafe;
    this.concurrency = parallel ? Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY) : 1;
    this.compression = {
      desired: destination.desiredLayerCompression,
      format: options.compressionFormat ?? destination.desiredCompressionAlgorithm,
      forceFormat: options.forceCompressionFormat === true,
      level: options.compressionLevel,
    };
  }

  private say(message: string): void {
    this.progress?.({ kind: 'message', message });
  }

  /**
   * One blob, tried again on its own after a network error or a 5xx (options.retry), so a broken
   * connection costs that blob, not the whole image. Destinations discard a failed putBlob.
   */
  private copyBlobWithRetries(request: CopyBlobRequest): Promise<CopiedBlob> {
    const policy = this.options.retry;
    if (policy === undefined || policy.times <= 0) return copyBlob(request);
    return withRetries(
      () => copyBlob(request),
      policy,
      (error, attempt, delayMs) =>
        this.say(
          `Copying blob ${request.info.digest} failed, retrying in ${delayMs} ms (${attempt + 1}/${policy.times}): ${
            error instanceof Error ? error.message : String(error)
          }`,
        ),
      this.signal,
    );
  }

  async copyTopLevel(): Promise<CopyResult> {
    const top = parseManifestBlob(await this.source.getManifest(undefined, this.readOptions()));
    if (!isParsedManifestList(top)) {
      const written = await this.copySingleImage(top, undefined, true);
      return { manifest: written.bytes, mediaType: written.mediaType, digest: written.digest };
    }
    const mode = this.options.multiArch ?? 'system';
    if (mode === 'system') {
      const wanted = wantedPlatform(this.options.platform ?? {});
      const instance = chooseInstance(top, wanted);
      this.options.sourceContext?.debug?.(`chose ${instance} for ${formatPlatform(wanted)}`);
      const image = await this.readInstance(instance);
      const written = await this.copySingleImage(image, instance, true);
      return { manifest: written.bytes, mediaType: written.mediaType, digest: written.digest };
    }
    const written = await this.copyList(top, mode === 'all');
    return { manifest: written.bytes, mediaType: written.mediaType, digest: written.digest };
  }

  private readOptions(): { signal?: AbortSignal } {
    return this.signal ? { signal: this.signal } : {};
  }

  private async readInstance(digest: Digest): Promise<ParsedImageManifest> {
    const blob = await this.source.getManifest(digest, this.readOptions());
    if (!manifestMatchesDigest(blob.bytes, digest, blob.mediaType)) {
      throw new DigestMismatchError(
        `manifest list instance`,
        digest,
        manifestDigest(blob.bytes, blob.mediaType, 'sha256'),
      );
    }
    const parsed = parseManifestBlob(blob);
    if (isParsedManifestList(parsed)) {
      throw new UnsupportedError(
        `manifest list instance ${digest} is itself a list; nested lists are not supported`,
      );
    }
    return parsed;
  }

  private async preserveReason(signatures: Signature[]): Promise<PreserveReason> {
    if (this.options.preserveDigests) return 'preserve-digests';
    if (this.destination.mustMatchDigest !== undefined) return 'destination-digest';
    if (signatures.length > 0 && !this.options.removeSignatures) return 'signed';
    return undefined;
  }

  private async signaturesToCopy(instance: Digest | undefined): Promise<Signature[]> {
    if (this.options.removeSignatures) return [];
    const signatures = await this.source.getSignatures(instance, this.readOptions());
    if (signatures.length > 0 && !this.destination.supportsSignatures) {
      throw new UnsupportedError(
        `the source image has ${signatures.length} signature(s), but the ${this.destination.reference.transport.name}: destination cannot store signatures`,
        { hint: 'use --remove-signatures to copy the image without them' },
      );
    }
    return signatures;
  }

  /** Copies an index and (with `all`) every image in it. */
  private async copyList(list: ParsedManifestList, all: boolean): Promise<WrittenManifest> {
    if (!this.destination.supportsManifestLists) {
      throw new UnsupportedError(
        `the ${this.destination.reference.transport.name}: destination cannot store a manifest list; copy one image (--multi-arch system, the default) instead of --all`,
      );
    }
    this.say('Getting image source signatures');
    const signatures = await this.signaturesToCopy(undefined);
    const preserve = await this.preserveReason(signatures);
    const target = chooseManifestType(list, this.destination, this.options.manifestType, preserve);
    const builder = editManifest(list);
    if (all) {
      const instances = listInstances(list);
      this.say(`Copying ${instances.length} images generated from ${instances.length} images in list`);
      const updates = [];
      for (const [index, instance] of instances.entries()) {
        this.say(`Copying image ${instance.digest} (${index + 1}/${instances.length})`);
        const image = await this.readInstance(instance.digest);
        const written = await this.copySingleImage(image, instance.digest, false, preserve);
        updates.push({ digest: written.digest, size: written.bytes.length, mediaType: written.mediaType });
      }
      builder.instances(updates);
    }
    if (target !== list.mediaType) builder.convertTo(target);
    const result = builder.build();
    this.say('Writing manifest list to image destination');
    await this.writeManifest(result, undefined);
    if (signatures.length > 0) {
      this.say('Storing list signatures');
      await this.destination.putSignatures(signatures, this.readOptions());
    }
    return {
      bytes: result.bytes,
      mediaType: result.mediaType,
      digest: manifestDigest(result.bytes, result.mediaType),
    };
  }

  /**
   * Copies one image: its layers (in parallel), its config, its manifest (converted or updated
   * if it must be) and signatures. `instance` is the source digest of a list member.
   */
  private async copySingleImage(
    image: ParsedImageManifest,
    instance: Digest | undefined,
    topLevel: boolean,
    listPreserve?: PreserveReason,
  ): Promise<WrittenManifest> {
    if (topLevel) this.say('Getting image source signatures');
    const signatures = await this.signaturesToCopy(instance);
    const preserve = listPreserve ?? (await this.preserveReason(signatures));
    const target = chooseManifestType(image, this.destination, this.options.manifestType, preserve);
    const config = configInfo(image);
    const manifestLayers = layerInfos(image);
    const layers = (await this.source.layerInfosForCopy?.(instance, this.readOptions())) ?? manifestLayers;
    if (layers.length !== manifestLayers.length) {
      throw new UnsupportedError(
        `the source reported ${layers.length} layers to copy but its manifest lists ${manifestLayers.length}`,
      );
    }
    const instanceDigestOption = instance === undefined || topLevel ? {} : { instanceDigest: instance };

    if (await this.destinationHasImage(image, instance, target, layers, manifestLayers, preserve)) {
      return this.writeExistingImage(image, config, layers, topLevel, signatures);
    }
    const configBytes = config ? await readSmallBlob(this.source, config, this.signal) : undefined;
    const diffIDs = configBytes ? diffIDsOf(configBytes) : undefined;

    // One copy per distinct digest: repeated layers share the work.
    const copies = new Map<string, Promise<BlobInfo>>();
    const copyLayer = (info: BlobInfo, index: number): Promise<BlobInfo> => {
      let pending = copies.get(info.digest);
      if (!pending) {
        const expected = diffIDs?.[index];
        pending = this.copyBlobWithRetries({
          source: this.source,
          destination: this.destination,
          info,
          isConfig: false,
          layerIndex: index,
          ...(expected !== undefined && isDigest(expected) ? { expectedDiffID: expected } : {}),
          ...instanceDigestOption,
          sourceReference: this.source.reference,
          cache: this.cache,
          compression: this.compression,
          mustPreserve: preserve !== undefined,
          signal: this.signal,
          progress: this.progress,
        }).then((copied) => copied.info);
        copies.set(info.digest, pending);
      }
      return pending;
    };
    const copiedLayers = await mapWithConcurrency(layers, this.concurrency, copyLayer);

    const builder = editManifest(image);
    if (copiedLayers.some((layer, i) => !sameBlob(layer, manifestLayers[i]))) {
      if (preserve !== undefined) {
        throw new UnsupportedError(`layers would change while copying, but ${preserveText(preserve)}`);
      }
      builder.layers(copiedLayers);
    }
    if (config && configBytes) {
      const copiedConfig = await this.copyBlobWithRetries({
        source: this.source,
        destination: this.destination,
        info: config,
        isConfig: true,
        content: configBytes,
        ...instanceDigestOption,
        sourceReference: this.source.reference,
        cache: this.cache,
        compression: this.compression,
        mustPreserve: true,
        signal: this.signal,
        progress: this.progress,
      });
      if (!sameBlob(copiedConfig.info, config)) builder.config(copiedConfig.info);
    }
    if (target !== image.mediaType) builder.convertTo(target);
    const result = builder.build() as ParsedManifest;
    const digest = manifestDigest(result.bytes, result.mediaType);
    const mustMatch = this.destination.mustMatchDigest;
    if (topLevel && mustMatch !== undefined && mustMatch !== digest) {
      throw new DigestMismatchError(
        'the manifest written to a destination named by digest',
        mustMatch,
        digest,
      );
    }
    return this.writeImage(result, digest, topLevel, signatures);
  }

  /**
   * Whether the destination already holds this very image: the manifest will be written as it is
   * (same type, no layer substituted, no compression change — decided from the layer media types,
   * conservatively) and the destination says it has a manifest with the source digest.
   */
  private async destinationHasImage(
    image: ParsedImageManifest,
    instance: Digest | undefined,
    target: string,
    layers: readonly BlobInfo[],
    manifestLayers: readonly BlobInfo[],
    preserve: PreserveReason,
  ): Promise<boolean> {
    const hasManifest = this.destination.hasManifest?.bind(this.destination);
    if (hasManifest === undefined || image.kind === 'docker-v2s1' || target !== image.mediaType) return false;
    const unchanged = layers.every((layer, i) => {
      if (!sameBlob(layer, manifestLayers[i]) || (layer.urls?.length ?? 0) > 0) return false;
      if (preserve !== undefined) return true;
      const compression =
        layer.mediaType === undefined ? undefined : layerMediaTypeCompression(layer.mediaType);
      return compression !== undefined && planCompression(compression, this.compression).kind === 'preserve';
    });
    if (!unchanged) return false;
    const digest = instance ?? manifestDigest(image.bytes, image.mediaType);
    const mustMatch = this.destination.mustMatchDigest;
    if (mustMatch !== undefined && mustMatch !== digest) return false;
    throwIfAborted(this.signal);
    try {
      return await hasManifest(digest, this.readOptions());
    } catch (error) {
      // The lookup is an optimization: if it fails, copy as usual (which reports real errors).
      if (this.signal?.aborted) throw error;
      return false;
    }
  }

  /** The destination has the image: every blob is reported as there, only the manifest is written. */
  private async writeExistingImage(
    image: ParsedImageManifest,
    config: BlobInfo | undefined,
    layers: readonly BlobInfo[],
    topLevel: boolean,
    signatures: Signature[],
  ): Promise<WrittenManifest> {
    const seen = new Set<string>();
    for (const layer of layers) {
      if (seen.has(layer.digest)) continue;
      seen.add(layer.digest);
      this.progress?.({
        kind: 'blob-skipped',
        digest: layer.digest,
        isConfig: false,
        size: layer.size,
        reason: 'already exists',
      });
    }
    if (config) {
      this.progress?.({
        kind: 'blob-skipped',
        digest: config.digest,
        isConfig: true,
        size: config.size,
        reason: 'already exists',
      });
    }
    return this.writeImage(image, manifestDigest(image.bytes, image.mediaType), topLevel, signatures);
  }

  /** Writes one image's manifest (by digest when it is a list member) and its signatures. */
  private async writeImage(
    manifest: ParsedManifest,
    digest: Digest,
    topLevel: boolean,
    signatures: Signature[],
  ): Promise<WrittenManifest> {
    this.say('Writing manifest to image destination');
    await this.writeManifest(manifest, topLevel ? undefined : digest);
    if (signatures.length > 0) {
      this.say('Storing signatures');
      await this.destination.putSignatures(signatures, {
        ...this.readOptions(),
        ...(topLevel ? {} : { instanceDigest: digest }),
      });
    }
    return { bytes: manifest.bytes, mediaType: manifest.mediaType, digest };
  }

  private async writeManifest(manifest: ParsedManifest, instanceDigest: Digest | undefined): Promise<void> {
    throwIfAborted(this.signal);
    this.progress?.({ kind: 'manifest', ...(instanceDigest ? { digest: instanceDigest } : {}) });
    await this.destination.putManifest(manifest.bytes, {
      ...this.readOptions(),
      mediaType: manifest.mediaType,
      ...(instanceDigest ? { instanceDigest } : {}),
    });
  }
}

function sameBlob(a: BlobInfo, b: BlobInfo | undefined): boolean {
  return b !== undefined && a.digest === b.digest && a.size === b.size && a.mediaType === b.mediaType;
}
