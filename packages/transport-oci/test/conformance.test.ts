// The shared transport conformance suite, run against oci: and oci-archive:.
import { MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST } from '@skopeo-ts/core';
import { runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin from '../src/index.js';

runTransportConformance({
  name: 'oci',
  plugin,
  newLocation: (scratch, name) => `oci:${scratch}/layout:${name}`,
  missingImage: (scratch) => `oci:${scratch}/layout:missing`,
  invalidReferences: [':tag', '/tmp/layout:Bad Tag', '/tmp/layout:@x'],
  capabilities: {
    manifestLists: true,
    signatures: false,
    delete: true,
    concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
    manifestTypes: [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX],
    layerCompression: 'compress',
  },
});

runTransportConformance({
  name: 'oci-archive',
  plugin,
  newLocation: (scratch, name) => `oci-archive:${scratch}/${name}.tar`,
  missingImage: (scratch) => `oci-archive:${scratch}/missing.tar`,
  invalidReferences: [':tag', '/tmp/image.tar:Bad Tag', '/tmp/image.tar:@0'],
  capabilities: {
    manifestLists: true,
    signatures: false,
    delete: false,
    concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
    manifestTypes: [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX],
    layerCompression: 'compress',
  },
});
