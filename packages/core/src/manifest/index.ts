// Manifests: media types, guessing, parsing and validation, digests, edits, conversion, platforms.
export * from './media-types.js';
export { guessManifestMediaType } from './guess.js';
export type { OciDescriptor, Schema2Descriptor } from './descriptor.js';
export { isOciImage, ociArtifactType, serializeOciManifest, type OciManifest } from './oci.js';
export { serializeDockerV2S2Manifest, type DockerV2S2Manifest } from './docker-schema2.js';
export {
  schema1LayerInfos,
  schema1Layers,
  type DockerV2S1Manifest,
  type Schema1FsLayer,
  type Schema1History,
  type Schema1Layer,
  type Schema1LayerInfo,
  type Schema1V1Compatibility,
} from './schema1.js';
export {
  ANNOTATION_INSTANCE_ZSTD,
  dockerListToOciIndex,
  ociIndexToDockerList,
  serializeDockerManifestList,
  serializeOciIndex,
  type DockerListEntry,
  type DockerManifestList,
  type ListInstance,
  type OciIndex,
} from './list.js';
export {
  checkManifestSize,
  configInfo,
  effectiveManifestMediaType,
  isParsedManifestList,
  layerInfos,
  listInstances,
  MAX_MANIFEST_BYTES,
  parseManifest,
  parseManifestBlob,
  toManifestBlob,
  type LayerInfo,
  type ManifestKind,
  type ParsedDockerManifestList,
  type ParsedDockerV2S1Manifest,
  type ParsedDockerV2S2Manifest,
  type ParsedImageManifest,
  type ParsedManifest,
  type ParsedManifestList,
  type ParsedOciIndex,
  type ParsedOciManifest,
} from './parse.js';
export { manifestDigest, manifestMatchesDigest, schema1SignedPayload } from './digest.js';
export {
  buildManifest,
  serializeManifest,
  type WritableManifest,
  type WritableParsedManifest,
} from './serialize.js';
export {
  filterListInstances,
  withConfigInfo,
  withLayerInfos,
  withListInstances,
  type ListInstanceUpdate,
} from './edit.js';
export { convertManifest, dockerV2S2ToOci, ociToDockerV2S2, type ConvertOptions } from './convert.js';
export { editManifest, ManifestBuilder } from './builder.js';
export {
  chooseInstance,
  currentPlatform,
  formatPlatform,
  matchesPlatform,
  normalizePlatform,
  parsePlatform,
  platformCandidates,
  wantedPlatform,
  type ChooseInstanceOptions,
  type PlatformChoice,
} from './platform.js';
