// Manifest format conversion: OCI image manifest ↔ Docker schema 2, OCI index ↔ Docker list
// (containers/image's convertToManifestSchema2 / convertToManifestOCI1 / ConvertToMIMEType).
import type { BlobInfo } from '../contracts/types.js';
import { InvalidManifestError, UnsupportedError } from '../errors.js';
import type { OciDescriptor, Schema2Descriptor } from './descriptor.js';
import type { DockerV2S2Manifest } from './docker-schema2.js';
import { checkDigest } from './fields.js';
import { dockerListToOciIndex, ociIndexToDockerList } from './list.js';
import {
  isEncryptedLayerMediaType,
  isManifestList,
  isManifestMediaType,
  isSchema1MediaType,
  isZstdLayerMediaType,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_GZIP,
  MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP,
  MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
  type ManifestMediaType,
  simplifyMediaType,
} from './media-types.js';
import { type OciManifest, ociArtifactType } from './oci.js';
import type { ParsedManifest } from './parse.js';
import { currentPlatform } from './platform.js';
import { keepOrBuild, type WritableManifest, writableOf } from './serialize.js';

export interface ConvertOptions {
  /**
   * Docker schema 2 → OCI: the descriptor of the image config as an OCI config, when the caller
   * converted the config blob (as containers/image does). Without it the Docker config blob is
   * kept and labelled as an OCI config (its JSON is a superset of OCI's).
   */
  config?: BlobInfo;
  /**
   * OCI index → Docker list: the platform of entries that have none (the Docker format requires
   * one). Default: the running os and architecture, as containers/image does.
   */
  defaultPlatform?: { os: string; architecture: string };
}

const OCI_TO_DOCKER_LAYER: Readonly<Record<string, string>> = {
  [MEDIA_TYPE_OCI_LAYER_TAR]: MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  [MEDIA_TYPE_OCI_LAYER_GZIP]: MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  [MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR]: MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR,
  [MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP]: MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP,
};

const DOCKER_TO_OCI_LAYER: Readonly<Record<string, string>> = {
  [MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR]: MEDIA_TYPE_OCI_LAYER_TAR,
  [MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP]: MEDIA_TYPE_OCI_LAYER_GZIP,
  [MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR]: MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR,
  [MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP]: MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP,
};

/**
 * OCI image → Docker schema 2. Refused (UnsupportedError) for artifacts (a config that is not an
 * OCI image config), zstd layers (recompress them with gzip first) and encrypted layers.
 * Annotations, artifactType and subject have no place in the Docker format and are dropped.
 */
export function ociToDockerV2S2(manifest: OciManifest): DockerV2S2Manifest {
  if (manifest.config.mediaType !== MEDIA_TYPE_OCI_CONFIG) {
    const type = ociArtifactType(manifest);
    throw new UnsupportedError(
      type === MEDIA_TYPE_DOCKER_V2S2_CONFIG
        ? `cannot convert to a Docker manifest: invalid mixed OCI image with a Docker v2s2 config ("${type}")`
        : `cannot convert an OCI artifact of type "${type}" to a Docker manifest: only container images can be converted`,
    );
  }
  const layers = manifest.layers.map((layer, i): Schema2Descriptor => {
    const where = `layer ${i} (${layer.digest})`;
    if (isEncryptedLayerMediaType(layer.mediaType)) {
      throw new UnsupportedError(
        `cannot convert to a Docker manifest: ${where} is encrypted ("${layer.mediaType}"), which Docker images cannot express`,
      );
    }
    if (isZstdLayerMediaType(layer.mediaType)) {
      throw new UnsupportedError(
        `cannot convert to a Docker manifest: ${where} is zstd-compressed ("${layer.mediaType}"); Docker images support only gzip (recompress with --dest-compress-format gzip, or keep an OCI manifest)`,
      );
    }
    const mediaType = OCI_TO_DOCKER_LAYER[layer.mediaType];
    if (mediaType === undefined) {
      throw new UnsupportedError(
        `cannot convert to a Docker manifest: ${where} has unknown media type "${layer.mediaType}"`,
      );
    }
    return schema2Descriptor(layer, mediaType);
  });
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
    config: schema2Descriptor(manifest.config, MEDIA_TYPE_DOCKER_V2S2_CONFIG),
    layers,
  };
}

function schema2Descriptor(descriptor: OciDescriptor, mediaType: string): Schema2Descriptor {
  const converted: Schema2Descriptor = { mediaType, size: descriptor.size, digest: descriptor.digest };
  if (descriptor.urls !== undefined) converted.urls = [...descriptor.urls];
  return converted;
}

function ociDescriptor(descriptor: Schema2Descriptor, mediaType: string): OciDescriptor {
  const converted: OciDescriptor = { mediaType, digest: descriptor.digest, size: descriptor.size };
  if (descriptor.urls !== undefined) converted.urls = [...descriptor.urls];
  return converted;
}

/** Docker schema 2 → OCI image (see ConvertOptions.config for the config blob). */
export function dockerV2S2ToOci(manifest: DockerV2S2Manifest, options: ConvertOptions = {}): OciManifest {
  const layers = manifest.layers.map((layer, i) => {
    const mediaType = DOCKER_TO_OCI_LAYER[layer.mediaType];
    if (mediaType === undefined) {
      throw new UnsupportedError(
        `cannot convert to an OCI manifest: layer ${i} (${layer.digest}) has unknown media type "${layer.mediaType}"`,
      );
    }
    return ociDescriptor(layer, mediaType);
  });
  let config: OciDescriptor;
  if (options.config !== undefined) {
    config = {
      mediaType: MEDIA_TYPE_OCI_CONFIG,
      digest: checkDigest(options.config.digest, 'config.digest'),
      size: options.config.size,
    };
    if (!Number.isSafeInteger(config.size) || config.size < 0) {
      throw new InvalidManifestError(`config: size ${config.size} cannot be written to a manifest`);
    }
  } else {
    config = ociDescriptor(manifest.config, MEDIA_TYPE_OCI_CONFIG);
  }
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers };
}

function targetType(targetMediaType: string): ManifestMediaType {
  const target = simplifyMediaType(targetMediaType);
  if (!isManifestMediaType(target)) {
    throw new UnsupportedError(
      `cannot convert a manifest to "${targetMediaType}": not a manifest media type`,
    );
  }
  return target;
}

/** Converts typed content; the same format comes back unchanged. */
export function convertWritable(
  writable: WritableManifest,
  targetMediaType: string,
  options: ConvertOptions = {},
): WritableManifest {
  const target = targetType(targetMediaType);
  const sourceIsList = writable.kind === 'oci-index' || writable.kind === 'docker-list';
  if (isSchema1MediaType(target)) {
    throw new UnsupportedError(
      `converting to Docker schema 1 ("${target}") is not supported; use schema 2 or OCI`,
    );
  }
  if (sourceIsList !== isManifestList(target)) {
    throw new UnsupportedError(
      sourceIsList
        ? `cannot convert a manifest list to "${target}", which is not a list type`
        : `cannot convert a single image's manifest to "${target}", which is a list type`,
    );
  }
  switch (writable.kind) {
    case 'oci-manifest':
      return target === MEDIA_TYPE_OCI_MANIFEST
        ? writable
        : { kind: 'docker-v2s2', manifest: ociToDockerV2S2(writable.manifest) };
    case 'docker-v2s2':
      return target === MEDIA_TYPE_DOCKER_V2S2_MANIFEST
        ? writable
        : { kind: 'oci-manifest', manifest: dockerV2S2ToOci(writable.manifest, options) };
    case 'oci-index':
      return target === MEDIA_TYPE_OCI_INDEX
        ? writable
        : {
            kind: 'docker-list',
            manifest: ociIndexToDockerList(writable.manifest, options.defaultPlatform ?? currentPlatform()),
          };
    case 'docker-list':
      return target === MEDIA_TYPE_DOCKER_V2_LIST
        ? writable
        : { kind: 'oci-index', manifest: dockerListToOciIndex(writable.manifest) };
  }
}

/**
 * The manifest in another format: OCI image ↔ Docker schema 2, OCI index ↔ Docker list. The same
 * type returns `parsed` itself (original bytes). Schema 1 in either direction, and lists ↔
 * single images, are refused with UnsupportedError.
 */
export function convertManifest(
  parsed: ParsedManifest,
  targetMediaType: string,
  options: ConvertOptions = {},
): ParsedManifest {
  const target = targetType(targetMediaType);
  if (parsed.mediaType === target) return parsed;
  if (parsed.kind === 'docker-v2s1') {
    throw new UnsupportedError(
      `converting a Docker schema 1 manifest to "${target}" is not supported (it needs an image config built from its history)`,
    );
  }
  return keepOrBuild(parsed, convertWritable(writableOf(parsed), target, options));
}
