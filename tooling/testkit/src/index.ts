// @skopeo-ts/testkit: real peers on loopback and deterministic OCI fixtures for skopeo-ts tests.
export { findPeer, requirePeer } from './peers.js';
export { freePort } from './ports.js';
export { makeTempDir, type TempDir } from './tmp.js';
export { type PeerProcess, spawnPeer } from './process.js';
export {
  mergeRegistryConfig,
  type RegistryConfig,
  type RegistryConfigValue,
  type RegistryOptions,
  RegistryStartError,
  type RunningRegistry,
  startRegistry,
} from './registry.js';
export { digestHex, HashingStream, sha256Digest } from './digest.js';
export { deterministicBytes, deterministicChunks } from './content.js';
export {
  addTarEntry,
  DEFAULT_HEADER,
  FIXED_DATE,
  layerPath,
  type PackDirectoryOptions,
  packDirectory,
  packEntries,
  type TarEntrySpec,
  type TarHeaderDefaults,
} from './tar.js';
export {
  type DirectoryLayerOptions,
  LAYER_MEDIA_TYPES,
  type LayerBlob,
  type LayerCompression,
  type LayerWriteOptions,
  layerFromDirectory,
  layerFromEntries,
  writeLayerBlob,
} from './layer.js';
export * from './fixtures/media-types.js';
export type { ImageSpec, LayerSpec, MultiArchSpec, Platform } from './fixtures/spec.js';
export {
  blobPath,
  blobsDir,
  type Descriptor,
  importBlob,
  type OciIndex,
  readIndex,
  type WrittenBlob,
  writeBlob,
  writeJsonBlob,
  writeOciLayout,
} from './fixtures/layout.js';
export {
  type BuiltImage,
  type BuiltManifest,
  buildOciImage,
  DEFAULT_PLATFORM,
  type OciConfig,
  type OciHistory,
  type OciManifest,
  writeImageManifest,
} from './fixtures/image.js';
export { type BuiltIndex, buildMultiArchIndex } from './fixtures/multi-arch.js';
export { fixtures, MULTI_ARCH_PLATFORMS } from './fixtures/presets.js';
export { type VerifiedLayout, verifyOciLayout } from './fixtures/verify.js';
export { type LayerEntry, readLayerEntries } from './tar-read.js';
export {
  createSkopeoEnvironment,
  runSkopeo,
  runSkopeoChecked,
  SkopeoError,
  type SkopeoEnvironment,
  type SkopeoInspectOptions,
  type SkopeoInspectOutput,
  type SkopeoInspectResult,
  type SkopeoResult,
  type SkopeoRunOptions,
  skopeoCopy,
  skopeoInspect,
} from './skopeo.js';
export * from './engines/index.js';
export * from './registry-flavours/index.js';
