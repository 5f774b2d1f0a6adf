// The shared conformance suite against an engine a test file started (its context gets the host),
// in two modes:
// - default: layers go to the engine as the source has them. The engine keeps them uncompressed
//   and makes its own manifest when it saves the image, so what is read back is compared by
//   config and layer DiffIDs, not by manifest digest (`storesOwnManifest`, `storedLayerCompression`).
// - `layerCompression: 'decompress'`: layers are sent uncompressed, and the manifest the copy
//   reports is exactly the one the engine gives back (the suite compares digests).
import type { Context } from '@skopeo-ts/core';
import { MEDIA_TYPE_DOCKER_V2S2_MANIFEST } from '@skopeo-ts/core';
import { type ConformanceTarget, runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin from '../src/index.js';

/** A repository per scratch directory: sibling references are tags' neighbours in one engine. */
function repository(scratch: string): string {
  return `localhost/conformance${scratch.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

const capabilities = {
  manifestLists: false,
  signatures: false,
  delete: false,
  concurrentWriters: 'safe',
  existingImage: 'replace',
  manifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
} satisfies Partial<ConformanceTarget['capabilities']>;

function daemonTarget(engineCtx: Context, engineName: string, ctx: Context) {
  return {
    name: 'docker-daemon',
    plugin,
    context: ctx,
    setup: () => {
      if (engineCtx.daemonHost === undefined) throw new Error(`${engineName} did not start`);
      ctx.daemonHost = engineCtx.daemonHost;
    },
    newLocation: (scratch: string, name: string) => `docker-daemon:${repository(scratch)}/${name}:latest`,
    missingImage: (scratch: string) => `docker-daemon:${repository(scratch)}/missing:latest`,
    invalidReferences: [
      'busybox',
      `busybox:v1@sha256:${'0'.repeat(64)}`,
      'sha256:abc',
      'Busy:x',
      '0'.repeat(64),
    ],
    timeoutMs: 60_000,
  } satisfies Omit<ConformanceTarget, 'capabilities'>;
}

export function runDaemonConformance(engineCtx: Context, engineName: string): void {
  runTransportConformance({
    ...daemonTarget(engineCtx, engineName, { env: {} }),
    variant: engineName,
    capabilities: {
      ...capabilities,
      layerCompression: 'preserve',
      storesOwnManifest: true,
      storedLayerCompression: 'none',
    },
  });

  runTransportConformance({
    ...daemonTarget(engineCtx, engineName, {
      env: {},
      transportOptions: { 'docker-daemon': { layerCompression: 'decompress' } },
    }),
    variant: `${engineName}, layerCompression 'decompress'`,
    capabilities: { ...capabilities, layerCompression: 'decompress' },
  });
}
