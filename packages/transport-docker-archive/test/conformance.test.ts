// The shared transport conformance suite, run against docker-archive: files.
import { MEDIA_TYPE_DOCKER_V2S2_MANIFEST } from '@skopeo-ts/core';
import { runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin from '../src/index.js';

runTransportConformance({
  name: 'docker-archive',
  plugin,
  newLocation: (scratch, name) => `docker-archive:${scratch}/${name}.tar:example.com/conformance/${name}:v1`,
  missingImage: (scratch) => `docker-archive:${scratch}/missing.tar`,
  invalidReferences: [
    '',
    ':busybox',
    '/tmp/a.tar:',
    '/tmp/a.tar:Bad Name',
    '/tmp/a.tar:@x',
    '/tmp/a.tar:@-1',
    `/tmp/a.tar:busybox@sha256:${'a'.repeat(64)}`,
  ],
  // The suite writes over existing images, which docker-archive refuses by default (as skopeo
  // does; test/overwrite.test.ts covers that): it runs with the opt-in atomic replacement.
  context: { transportOptions: { 'docker-archive': { replaceExisting: true } } },
  capabilities: {
    manifestLists: false,
    signatures: false,
    delete: false,
    concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
    manifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
    layerCompression: 'decompress',
  },
});
