// The shared transport conformance suite, run against a real docker-registry on loopback.
// Each scratch directory of the suite becomes a namespace of the registry, each name a repository
// in it (`conf/<scratch id>/<name>:latest`), so tests never see each other's images.
import { createHash } from 'node:crypto';
import { type RunningRegistry, startRegistry } from '@skopeo-ts/testkit';
import { runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin, { DOCKER_DESTINATION_MANIFEST_TYPES } from '../src/index.js';

let registry: RunningRegistry | undefined;

function host(): string {
  if (registry === undefined) throw new Error('the registry is not running (setup failed?)');
  return registry.host;
}

function namespace(scratch: string): string {
  return `conf/${createHash('sha256').update(scratch).digest('hex').slice(0, 16)}`;
}

runTransportConformance({
  name: 'docker',
  plugin,
  newLocation: (scratch, name) => `docker://${host()}/${namespace(scratch)}/${name}:latest`,
  missingImage: (scratch) => `docker://${host()}/${namespace(scratch)}/missing:latest`,
  invalidReferences: ['busybox', '//Busybox', '//busybox:bad tag', '//busybox:tag@sha256:abc', '//'],
  capabilities: {
    manifestLists: true,
    signatures: false,
    delete: true,
    concurrentWriters: { sameReference: 'safe', siblingReferences: 'safe' },
    manifestTypes: DOCKER_DESTINATION_MANIFEST_TYPES,
    layerCompression: 'compress',
  },
  context: { tls: { verify: false } },
  setup: async () => {
    registry = await startRegistry();
  },
  teardown: async () => {
    await registry?.stop();
  },
  timeoutMs: 60_000,
});
