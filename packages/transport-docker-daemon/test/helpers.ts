// Shared test helpers: references, temp dirs, error checks, the engine a file runs against.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, type ErrorCode, type ImageReference, isSkopeoError } from '@skopeo-ts/core';
import { makeTempDir, type RunningEngine, type TempDir } from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { dockerDaemonTransport } from '../src/index.js';

export const daemon = (rest: string): ImageReference => dockerDaemonTransport.parseReference(rest);
export const oci = (rest: string): ImageReference => ociTransport.parseReference(rest);

/** A temp dir removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: TempDir[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => dir.cleanup()));
  });
  return async () => {
    const dir = await makeTempDir('skopeo-ts-daemon-test');
    dirs.push(dir);
    return dir.path;
  };
}

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

/** Awaits a rejection with a skopeo-ts error of `code`; returns it for more checks. */
export async function expectSkopeoError(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (!isSkopeoError(error, code)) {
      throw new Error(`expected a ${code} error, got ${(error as Error)?.stack ?? String(error)}`);
    }
    return error;
  }
  expect.unreachable(`expected a ${code} error, but it succeeded`);
  throw new Error('unreachable');
}

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
