// The shared transport conformance suite, run against dir:.
import { runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin from '../src/index.js';

runTransportConformance({
  name: 'dir',
  plugin,
  newLocation: (scratch, name) => `dir:${scratch}/${name}`,
  missingImage: (scratch) => `dir:${scratch}/no-image-here`,
  invalidReferences: ['', 'with\0nul'],
  capabilities: {
    manifestLists: true,
    signatures: true,
    delete: false,
    concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
    layerCompression: 'preserve',
  },
});
