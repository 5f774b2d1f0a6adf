// Edits the copy engine makes to a manifest: new layer and config descriptors (after
// compressing, decompressing or re-uploading blobs), new instance digests in a list, a subset of a
// list's instances. Each returns the original (bytes and all) when the edit changes nothing.
import type { BlobInfo } from '../contracts/types.js';
import type { Digest } from '../digest.js';
import { InvalidManifestError, UnsupportedError } from '../errors.js';
import type { OciDescriptor, Schema2Descriptor } from './descriptor.js';
import { cloneDockerV2S2Manifest, isSchema2MediaType } from './docker-schema2.js';
import { checkDigest } from './fields.js';
import { cloneDockerManifestList, cloneOciIndex, type ListInstance } from './list.js';
import { cloneOciManifest } from './oci.js';
import type { ParsedImageManifest, ParsedManifestList } from './parse.js';
import { listInstances } from './parse.js';
import { keepOrBuild, type WritableManifest, writableOf } from './serialize.js';

function checkSize(size: number, where: string): number {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new InvalidManifestError(
      `${where}: size ${size} cannot be written to a manifest (the real size is needed)`,
    );
  }
  return size;
}

function ociDescriptorFrom(original: OciDescriptor, info: BlobInfo, where: string): OciDescriptor {
  const descriptor: OciDescriptor = {
    mediaType: info.mediaType ?? original.mediaType,
    digest: checkDigest(info.digest, `${where}.digest`),
    size: checkSize(info.size, where),
  };
  if (info.urls !== undefined) descriptor.urls = [...info.urls];
  if (info.annotations !== undefined) descriptor.annotations = { ...info.annotations };
  if (original.platform !== undefined) descriptor.platform = original.platform;
  if (original.artifactType !== undefined) descriptor.artifactType = original.artifactType;
  // `data` embeds the old content: it cannot describe a new digest.
  if (original.data !== undefined && original.digest === info.digest) descriptor.data = original.data;
  return descriptor;
}

function schema2DescriptorFrom(
  original: Schema2Descriptor,
  info: BlobInfo,
  where: string,
): Schema2Descriptor {
  const mediaType = info.mediaType ?? original.mediaType;
  if (!isSchema2MediaType(mediaType)) {
    throw new UnsupportedError(
      `${where}: media type "${mediaType}" cannot be used in a Docker schema 2 manifest`,
    );
  }
  const descriptor: Schema2Descriptor = {
    mediaType,
    size: checkSize(info.size, where),
    digest: checkDigest(info.digest, `${where}.digest`),
  };
  if (info.urls !== undefined) descriptor.urls = [...info.urls];
  return descriptor;
}

/**
 * Replaces the layer descriptors, in order (containers/image's UpdateLayerInfos): digest, size,
 * urls and annotations come from each info (so pass what `layerInfos()` returned, changed where
 * needed); the media type too when given, else the layer keeps its own. The count must not change.
 */
export function editLayers(writable: WritableManifest, infos: readonly BlobInfo[]): WritableManifest {
  switch (writable.kind) {
    case 'oci-manifest': {
      const manifest = cloneOciManifest(writable.manifest);
      checkCount(manifest.layers.length, infos.length);
      manifest.layers = manifest.layers.map((layer, i) =>
        ociDescriptorFrom(layer, infos[i] as BlobInfo, `layers[${i}]`),
      );
      return { kind: 'oci-manifest', manifest };
    }
    case 'docker-v2s2': {
      const manifest = cloneDockerV2S2Manifest(writable.manifest);
      checkCount(manifest.layers.length, infos.length);
      manifest.layers = manifest.layers.map((layer, i) =>
        schema2DescriptorFrom(layer, infos[i] as BlobInfo, `layers[${i}]`),
      );
      return { kind: 'docker-v2s2', manifest };
    }
    default:
      throw new UnsupportedError('a manifest list has no layers to replace');
  }
}

function checkCount(had: number, given: number): void {
  if (had !== given) {
    throw new InvalidManifestError(`updating layers: the manifest has ${had} layers but ${given} were given`);
  }
}

/** Replaces the config descriptor (same rules as editLayers). */
export function editConfig(writable: WritableManifest, info: BlobInfo): WritableManifest {
  switch (writable.kind) {
    case 'oci-manifest': {
      const manifest = cloneOciManifest(writable.manifest);
      manifest.config = ociDescriptorFrom(manifest.config, info, 'config');
      return { kind: 'oci-manifest', manifest };
    }
    case 'docker-v2s2': {
      const manifest = cloneDockerV2S2Manifest(writable.manifest);
      manifest.config = schema2DescriptorFrom(manifest.config, info, 'config');
      return { kind: 'docker-v2s2', manifest };
    }
    default:
      throw new UnsupportedError('a manifest list has no config to replace');
  }
}

/** A list entry after its image was copied (and maybe converted). */
export interface ListInstanceUpdate {
  digest: Digest;
  size: number;
  mediaType: string;
  /** OCI index only: replaces the entry's annotations when given. */
  annotations?: Record<string, string>;
}

/** Updates every list entry, in order (containers/image's UpdateInstances); platforms stay. */
export function editInstances(
  writable: WritableManifest,
  updates: readonly ListInstanceUpdate[],
): WritableManifest {
  const update = (i: number): ListInstanceUpdate => {
    const value = updates[i] as ListInstanceUpdate;
    checkDigest(value.digest, `manifests[${i}].digest`);
    checkSize(value.size, `manifests[${i}]`);
    if (value.mediaType === '')
      throw new InvalidManifestError(`manifests[${i}]: the update has no media type`);
    return value;
  };
  switch (writable.kind) {
    case 'oci-index': {
      const manifest = cloneOciIndex(writable.manifest);
      checkInstanceCount(manifest.manifests.length, updates.length);
      manifest.manifests.forEach((entry, i) => {
        const value = update(i);
        // `data` embeds the old content: it cannot describe a new digest.
        if (entry.data !== undefined && entry.digest !== value.digest) delete entry.data;
        entry.digest = value.digest;
        entry.size = value.size;
        entry.mediaType = value.mediaType;
        if (value.annotations !== undefined) entry.annotations = { ...value.annotations };
      });
      return { kind: 'oci-index', manifest };
    }
    case 'docker-list': {
      const manifest = cloneDockerManifestList(writable.manifest);
      checkInstanceCount(manifest.manifests.length, updates.length);
      manifest.manifests.forEach((entry, i) => {
        const value = update(i);
        entry.digest = value.digest;
        entry.size = value.size;
        entry.mediaType = value.mediaType;
      });
      return { kind: 'docker-list', manifest };
    }
    default:
      throw new UnsupportedError('only a manifest list has instances to update');
  }
}

function checkInstanceCount(had: number, given: number): void {
  if (had !== given) {
    throw new InvalidManifestError(
      `updating a manifest list: it has ${had} instances but ${given} updates were given`,
    );
  }
}

/** Keeps only the entries `keep` accepts, in order (to copy some platforms of a list). */
export function editFilterInstances(
  writable: WritableManifest,
  keep: (instance: ListInstance, index: number) => boolean,
  instances: readonly ListInstance[],
): WritableManifest {
  switch (writable.kind) {
    case 'oci-index': {
      const manifest = cloneOciIndex(writable.manifest);
      manifest.manifests = manifest.manifests.filter((_, i) => keep(instances[i] as ListInstance, i));
      return { kind: 'oci-index', manifest };
    }
    case 'docker-list': {
      const manifest = cloneDockerManifestList(writable.manifest);
      manifest.manifests = manifest.manifests.filter((_, i) => keep(instances[i] as ListInstance, i));
      return { kind: 'docker-list', manifest };
    }
    default:
      throw new UnsupportedError('only a manifest list has instances to choose from');
  }
}

// --- On parsed manifests ------------------------------------------------------------------------

/** editLayers on a parsed manifest; the original comes back when nothing changes. */
export function withLayerInfos<T extends ParsedImageManifest>(parsed: T, infos: readonly BlobInfo[]): T {
  return keepOrBuild(parsed, editLayers(writableOf(parsed), infos)) as T;
}

/** editConfig on a parsed manifest; the original comes back when nothing changes. */
export function withConfigInfo<T extends ParsedImageManifest>(parsed: T, info: BlobInfo): T {
  return keepOrBuild(parsed, editConfig(writableOf(parsed), info)) as T;
}

/** editInstances on a parsed list; the original comes back when nothing changes. */
export function withListInstances<T extends ParsedManifestList>(
  parsed: T,
  updates: readonly ListInstanceUpdate[],
): T {
  return keepOrBuild(parsed, editInstances(writableOf(parsed), updates)) as T;
}

/** A list with only the instances `keep` accepts; the original when it keeps them all. */
export function filterListInstances<T extends ParsedManifestList>(
  parsed: T,
  keep: (instance: ListInstance, index: number) => boolean,
): T {
  return keepOrBuild(parsed, editFilterInstances(writableOf(parsed), keep, listInstances(parsed))) as T;
}
