// Shared test helpers: references, temp dirs, error checks, the engine a file runs against.
import { useTempDirs as sharedUseTempDirs } from '@skopeo-ts/testkit/vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, ImageReference } from '@skopeo-ts/core';
import type { RunningEngine } from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, beforeAll } from 'vitest';
import { dockerDaemonTransport } from '../src/index.js';

export const daemon = (rest: string): ImageReference => dockerDaemonTransport.parseReference(rest);
export const oci = (rest: string): ImageReference => ociTransport.parseReference(rest);

/** A temp dir removed after the current test. */
export const useTempDirs = () => sharedUseTempDirs('skopeo-ts-daemon-test');

/**
 * One engine for the whole test file (engines are heavy: the files run one at a time). The
 * returned context is filled in once the engine answers; `engine()` gives the engine itself.
 */
export function useEngine<T extends RunningEngine>(
  start: () => Promise<T>,
): { ctx: Context; engine: () => T } {
  const ctx: Context = { env: {} };
  let running: T | undefined;
  beforeAll(async () => {
    running = await start();
    ctx.daemonHost = running.host;
  });
  afterAll(async () => {
    await running?.stop();
  });
  return {
    ctx,
    engine: () => {
      if (running === undefined) throw new Error('the engine has not started');
      return running;
    },
  };
}

export { expectSkopeoError } from '@skopeo-ts/testkit/vitest';

export interface OciManifestJson {
  config: { digest: string };
  layers: { digest: string; mediaType: string }[];
}

/** The config (parsed) and its raw bytes of the only image in an OCI layout copied by a test. */
export async function ociConfigOf(
  layout: string,
  manifestDigest: string,
): Promise<{
  bytes: Buffer;
  json: { rootfs: { diff_ids: string[] }; config: Record<string, unknown>; architecture: string; os: string };
}> {
  const blob = (digest: string) => join(layout, 'blobs', ...digest.split(':'));
  const manifest = JSON.parse(await readFile(blob(manifestDigest), 'utf8')) as OciManifestJson;
  const bytes = await readFile(blob(manifest.config.digest));
  return { bytes, json: JSON.parse(bytes.toString('utf8')) };
}

/** A repository name unique to this run, valid for docker (lowercase). */
export function uniqueName(prefix: string): string {
  return `localhost/skopeo-ts-${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
