// The shared transport conformance suite, run against docker-archive: files, as users get them
// (a non-empty archive is never modified: writing onto an image fails with CONFLICT, as in
// skopeo), and with the opt-in atomic replacement (`replaceExisting`).
import { MEDIA_TYPE_DOCKER_V2S2_MANIFEST } from '@skopeo-ts/core';
import { type ConformanceTarget, runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin from '../src/index.js';

const common = {
  name: 'docker-archive',
  plugin,
  newLocation: (scratch: string, name: string) =>
    `docker-archive:${scratch}/${name}.tar:example.com/conformance/${name}:v1`,
  missingImage: (scratch: string) => `docker-archive:${scratch}/missing.tar`,
  invalidReferences: [
    '',
    ':busybox',
    '/tmp/a.tar:',
    '/tmp/a.tar:Bad Name',
    '/tmp/a.tar:@x',
    '/tmp/a.tar:@-1',
    `/tmp/a.tar:busybox@sha256:${'a'.repeat(64)}`,
  ],
} satisfies Partial<ConformanceTarget>;

const capabilities = {
  manifestLists: false,
  signatures: false,
  delete: false,
  manifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
  layerCompression: 'decompress',
} satisfies Partial<ConformanceTarget['capabilities']>;

// Default: an archive that exists is refused, so of two copies into one file, the one that
// finishes second fails with CONFLICT (the first one's archive is whole).
runTransportConformance({
  ...common,
  capabilities: {
    ...capabilities,
    existingImage: 'refuse',
    concurrentWriters: { sameReference: 'error', siblingReferences: 'safe' },
  },
});

// transportOptions['docker-archive'].replaceExisting: the new archive replaces the old one whole.
runTransportConformance({
  ...common,
  variant: 'replaceExisting',
  context: { transportOptions: { 'docker-archive': { replaceExisting: true } } },
  capabilities: {
    ...capabilities,
    existingImage: 'replace',
    concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
  },
});
