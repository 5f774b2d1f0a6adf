// The suite run against the in-memory transport, in four set-ups that together take every
// branch of the suite: a store that keeps everything, one that behaves like an OCI layout
// (OCI types only, compresses layers, no signatures), a minimal one (Docker schema 2 only,
// decompresses layers, no lists, no signatures, no delete, refuses concurrent writers and
// existing images, as docker-archive files do), and one that behaves like a Docker engine
// (makes its own manifest, keeps layers uncompressed whatever it is sent).
import { basename } from 'node:path';
import {
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from '@skopeo-ts/core';
import { createMemoryTransport, runTransportConformance } from '../src/index.js';

const invalidReferences = ['', 'has space', '/absolute', 'trailing/', 'a//b', 'bad?char'];

function locations(name: string) {
  return {
    newLocation: (scratch: string, image: string) => `${name}:${basename(scratch)}/${image}`,
    missingImage: (scratch: string) => `${name}:${basename(scratch)}/missing`,
  };
}

const keepsEverything = createMemoryTransport();
runTransportConformance({
  name: 'memory',
  plugin: keepsEverything.plugin,
  ...locations('memory'),
  invalidReferences,
  capabilities: { manifestLists: true, signatures: true, delete: true, concurrentWriters: 'safe' },
});

const ociLike = createMemoryTransport({
  name: 'memory-oci-like',
  supportedManifestTypes: [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX],
  desiredLayerCompression: 'compress',
  supportsSignatures: false,
});
runTransportConformance({
  name: 'memory-oci-like',
  plugin: ociLike.plugin,
  ...locations('memory-oci-like'),
  invalidReferences,
  capabilities: {
    manifestLists: true,
    signatures: false,
    delete: true,
    concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
    manifestTypes: [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX],
    layerCompression: 'compress',
  },
});

const minimal = createMemoryTransport({
  name: 'memory-minimal',
  supportedManifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
  desiredLayerCompression: 'decompress',
  supportsManifestLists: false,
  supportsSignatures: false,
  canDelete: false,
  concurrentWrites: 'conflict',
  existingImages: 'refuse',
});
runTransportConformance({
  name: 'memory-minimal',
  plugin: minimal.plugin,
  ...locations('memory-minimal'),
  invalidReferences,
  capabilities: {
    manifestLists: false,
    signatures: false,
    delete: false,
    concurrentWriters: 'error',
    manifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
    layerCompression: 'decompress',
    existingImage: 'refuse',
  },
});

const engineLike = createMemoryTransport({
  name: 'memory-engine-like',
  supportedManifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
  supportsManifestLists: false,
  supportsSignatures: false,
  canDelete: false,
  ownManifests: true,
});
runTransportConformance({
  name: 'memory-engine-like',
  plugin: engineLike.plugin,
  ...locations('memory-engine-like'),
  invalidReferences,
  capabilities: {
    manifestLists: false,
    signatures: false,
    delete: false,
    concurrentWriters: 'safe',
    manifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
    layerCompression: 'preserve',
    storesOwnManifest: true,
    storedLayerCompression: 'none',
  },
});
