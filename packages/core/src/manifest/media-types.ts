// Media types of manifests, configs and layers (OCI image spec, Docker schema 2 and schema 1).
import { UnsupportedError } from '../errors.js';

// --- OCI (github.com/opencontainers/image-spec specs-go/v1/mediatype.go) -----------------------
export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_OCI_EMPTY_JSON = 'application/vnd.oci.empty.v1+json';
export const MEDIA_TYPE_OCI_DESCRIPTOR = 'application/vnd.oci.descriptor.v1+json';
export const MEDIA_TYPE_OCI_LAYOUT_HEADER = 'application/vnd.oci.layout.header.v1+json';

export const MEDIA_TYPE_OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_TYPE_OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const MEDIA_TYPE_OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** Deprecated by the spec, still found in old images (Windows base layers). */
export const MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR =
  'application/vnd.oci.image.layer.nondistributable.v1.tar';
export const MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
export const MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_ZSTD =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd';

/** Suffix ocicrypt appends to a layer media type when the layer is encrypted. */
export const ENCRYPTED_SUFFIX = '+encrypted';

// --- Docker schema 2 (docker/distribution manifest/schema2, manifestlist) ---------------------
export const MEDIA_TYPE_DOCKER_V2S2_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_V2_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_TYPE_DOCKER_V2S2_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';
export const MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR =
  'application/vnd.docker.image.rootfs.foreign.diff.tar';
export const MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP =
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

// --- Docker schema 1 ---------------------------------------------------------------------------
export const MEDIA_TYPE_DOCKER_V2S1_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+json';
export const MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST =
  'application/vnd.docker.distribution.manifest.v1+prettyjws';

/** The six manifest types skopeo-ts understands. */
export type ManifestMediaType =
  | typeof MEDIA_TYPE_OCI_MANIFEST
  | typeof MEDIA_TYPE_OCI_INDEX
  | typeof MEDIA_TYPE_DOCKER_V2S2_MANIFEST
  | typeof MEDIA_TYPE_DOCKER_V2_LIST
  | typeof MEDIA_TYPE_DOCKER_V2S1_MANIFEST
  | typeof MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST;

/**
 * The manifest types to send in `Accept` when fetching a manifest, in containers/image's order
 * (DefaultRequestedManifestMIMETypes).
 */
export const MANIFEST_MEDIA_TYPES: readonly ManifestMediaType[] = [
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_OCI_INDEX,
];

export function isManifestMediaType(mediaType: string): mediaType is ManifestMediaType {
  return (MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

/** A manifest list (Docker) or image index (OCI): a manifest of manifests. */
export function isManifestList(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE_DOCKER_V2_LIST || mediaType === MEDIA_TYPE_OCI_INDEX;
}

export function isSchema1MediaType(mediaType: string): boolean {
  return (
    mediaType === MEDIA_TYPE_DOCKER_V2S1_MANIFEST || mediaType === MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST
  );
}

/**
 * The manifest type a server or file declared, with containers/image's workarounds
 * (NormalizedMIMEType): parameters (`; charset=utf-8`) and case are dropped; `application/json`
 * and anything unrecognised become signed schema 1, the only format old registries served
 * without a proper type. Callers that have the bytes should prefer guessing from them for
 * unrecognised types (parseManifest does).
 */
export function normalizeManifestMediaType(input: string): ManifestMediaType {
  const simple = simplifyMediaType(input);
  return isManifestMediaType(simple) ? simple : MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST;
}

/** `Type/Subtype; param=x` → `type/subtype` (a Content-Type header as a bare media type). */
export function simplifyMediaType(input: string): string {
  const semicolon = input.indexOf(';');
  return (semicolon < 0 ? input : input.slice(0, semicolon)).trim().toLowerCase();
}

// --- Layers ----------------------------------------------------------------------------------

/** Compression of a layer as its media type says: 'none' for plain tar, undefined when unknown. */
export type LayerMediaTypeCompression = 'none' | 'gzip' | 'zstd';

/** Each set holds the variants of one kind of layer that differ only by compression. */
interface CompressionVariants {
  none: string;
  gzip: string;
  /** undefined: this format cannot express the algorithm. */
  zstd: string | undefined;
}

const OCI_VARIANTS: readonly CompressionVariants[] = [
  { none: MEDIA_TYPE_OCI_LAYER_TAR, gzip: MEDIA_TYPE_OCI_LAYER_GZIP, zstd: MEDIA_TYPE_OCI_LAYER_ZSTD },
  {
    none: MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR,
    gzip: MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP,
    zstd: MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_ZSTD,
  },
];

const DOCKER_VARIANTS: readonly CompressionVariants[] = [
  { none: MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR, gzip: MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP, zstd: undefined },
  {
    none: MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR,
    gzip: MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP,
    zstd: undefined,
  },
];

function variantsOf(layerMediaType: string): { variants: CompressionVariants; oci: boolean } | undefined {
  for (const variants of OCI_VARIANTS) {
    if (Object.values(variants).includes(layerMediaType)) return { variants, oci: true };
  }
  for (const variants of DOCKER_VARIANTS) {
    if (Object.values(variants).includes(layerMediaType)) return { variants, oci: false };
  }
  return undefined;
}

/** The compression a (known, unencrypted) layer media type declares; undefined when unknown. */
export function layerMediaTypeCompression(layerMediaType: string): LayerMediaTypeCompression | undefined {
  const found = variantsOf(layerMediaType);
  if (found === undefined) return undefined;
  const { variants } = found;
  if (variants.none === layerMediaType) return 'none';
  if (variants.gzip === layerMediaType) return 'gzip';
  return 'zstd';
}

export function isEncryptedLayerMediaType(layerMediaType: string): boolean {
  return layerMediaType.split('+').slice(1).includes('encrypted');
}

export function isZstdLayerMediaType(layerMediaType: string): boolean {
  return layerMediaType.split('+').slice(1).includes('zstd');
}

export function isNondistributableLayerMediaType(layerMediaType: string): boolean {
  return (
    layerMediaType.startsWith('application/vnd.oci.image.layer.nondistributable.') ||
    layerMediaType.startsWith('application/vnd.docker.image.rootfs.foreign.')
  );
}

/**
 * The media type of `layerMediaType` once the layer has `compression` (containers/image's
 * updatedMIMEType): OCI tar ↔ tar+gzip ↔ tar+zstd, Docker tar ↔ tar.gzip, nondistributable and
 * foreign layers keep their kind. Returns undefined when the media type is not a layer type this
 * table knows (an artifact's blob, an encrypted layer) — keep it unchanged or refuse, as fits;
 * throws when the format cannot express the compression (zstd in a Docker manifest).
 */
export function layerMediaTypeWithCompression(
  layerMediaType: string,
  compression: LayerMediaTypeCompression,
): string | undefined {
  const found = variantsOf(layerMediaType);
  if (found === undefined) return undefined;
  const result = found.variants[compression];
  if (result === undefined) {
    throw new LayerCompressionError(
      `${compression} compression is not supported for layers of type "${layerMediaType}" (Docker manifests know only gzip and uncompressed layers; use an OCI manifest for zstd)`,
    );
  }
  return result;
}

/** A compression a manifest format cannot express for a layer. */
export class LayerCompressionError extends UnsupportedError {
  constructor(message: string) {
    super(message);
    this.name = 'LayerCompressionError';
  }
}
