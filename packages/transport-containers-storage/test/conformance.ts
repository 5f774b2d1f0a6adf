// The shared transport conformance suite against one driver; each scratch directory is a store.
import { MEDIA_TYPE_DOCKER_V2S2_MANIFEST, MEDIA_TYPE_OCI_MANIFEST } from '@skopeo-ts/core';
import { unmountAllUnder } from '@skopeo-ts/testkit';
import { runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin from '../src/index.js';

export function runStorageConformance(driver: 'vfs' | 'overlay'): void {
  const scratches = new Set<string>();
  // One store per name: deleting an image removes all its names (as skopeo does), so two names
  // of one image in one store cannot be deleted apart, which the suite's delete test expects.
  // Writers sharing a store are tested in concurrency.test.ts.
  const store = (scratch: string, name: string) => {
    scratches.add(scratch);
    return `[${driver}@${scratch}/${name}/root+${scratch}/${name}/run]`;
  };
  runTransportConformance({
    name: 'containers-storage',
    plugin,
    newLocation: (scratch, name) =>
      `containers-storage:${store(scratch, name)}localhost/conformance/${name}:v1`,
    missingImage: (scratch) =>
      `containers-storage:${store(scratch, 'missing')}localhost/conformance/missing:v1`,
    invalidReferences: [
      '',
      '[vfs@relative/root]busybox',
      '[vfs@/tmp/root',
      'Bad Name',
      'busybox@nothex',
      '[@/tmp/root]busybox',
    ],
    capabilities: {
      manifestLists: false,
      signatures: true,
      delete: true,
      concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
      manifestTypes: [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
      layerCompression: 'preserve',
    },
    timeoutMs: 60_000,
    teardown: () => {
      for (const scratch of scratches) unmountAllUnder(scratch);
    },
  });
}
