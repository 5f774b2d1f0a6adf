// The shared conformance suite against an engine a test file started (its context gets the host).
import type { Context } from '@skopeo-ts/core';
import { MEDIA_TYPE_DOCKER_V2S2_MANIFEST } from '@skopeo-ts/core';
import { runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin from '../src/index.js';

/** A repository per scratch directory: sibling references are tags' neighbours in one engine. */
function repository(scratch: string): string {
  return `localhost/conformance${scratch.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

export function runDaemonConformance(engineCtx: Context, engineName: string): void {
  const ctx: Context = { env: {}, transportOptions: { 'docker-daemon': { layerCompression: 'decompress' } } };
  runTransportConformance({
    name: 'docker-daemon',
    plugin,
    context: ctx,
    setup: () => {
      if (engineCtx.daemonHost === undefined) throw new Error(`${engineName} did not start`);
      ctx.daemonHost = engineCtx.daemonHost;
    },
    newLocation: (scratch, name) => `docker-daemon:${repository(scratch)}/${name}:latest`,
    missingImage: (scratch) => `docker-daemon:${repository(scratch)}/missing:latest`,
    invalidReferences: [
      'busybox',
      `busybox:v1@sha256:${'0'.repeat(64)}`,
      'sha256:abc',
      'Busy:x',
      '0'.repeat(64),
    ],
    capabilities: {
      manifestLists: false,
      signatures: false,
      delete: false,
      concurrentWriters: 'safe',
      manifestTypes: [MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
      layerCompression: 'decompress',
    },
    timeoutMs: 60_000,
  });
}
