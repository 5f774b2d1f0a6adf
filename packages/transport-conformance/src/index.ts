// @skopeo-ts/transport-conformance: the suite every transport runs, and the pieces it is made of
// (test images, an in-memory transport, fault injection, a verifying reader) for a transport's
// own tests.
export { runTransportConformance } from './suite.js';
export type {
  ConcurrentWriteOutcome,
  ConcurrentWriters,
  ConformanceTarget,
  ExistingImageOutcome,
  StoragePolicy,
  StoredLayerCompression,
  TransportCapabilities,
} from './target.js';

export {
  TEST_IMAGE_NAMES,
  TEST_PLATFORMS,
  testImage,
  testImages,
  uniqueImage,
  type TestImageName,
} from './images/catalog.js';
export { buildImage, buildIndex, buildLayer } from './images/build.js';
export { FIXED_DATE, firstFileContentOffset, tarBytes, type TarEntry } from './images/tar.js';
export {
  blobsOf,
  singleImagesOf,
  type ImageFormat,
  type ImageSpec,
  type IndexSpec,
  type LayerSpec,
  type TestBlob,
  type TestImage,
  type TestIndex,
  type TestLayer,
  type TestLayerCompression,
  type TestManifest,
  type TestSingleImage,
} from './images/types.js';

export {
  createMemoryTransport,
  type MemoryTransport,
  type MemoryTransportOptions,
} from './memory/transport.js';
export { MemoryImageStore, type StoredImage } from './memory/store.js';
export { loadTestImage, type LoadOptions } from './memory/load.js';

export { changeByteAt, withFaults, type BlobFault, type SourceFaults } from './faults.js';
export {
  readImage,
  type ReadImage,
  type ReadIndex,
  type ReadLayer,
  type ReadSingleImage,
} from './read-image.js';
export {
  expectedLayerCompression,
  expectedManifestType,
  expectSameImage,
  expectStored,
  expectWrittenImage,
  isWrittenImage,
  storedUnchanged,
} from './expect-image.js';
