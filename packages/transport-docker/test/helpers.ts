// Shared test helpers: a real registry per test file, references, contexts and error checks.
import { type Context, type ErrorCode, isSkopeoError } from '@skopeo-ts/core';
import {
  makeTempDir,
  type RegistryConfig,
  type RunningRegistry,
  startRegistry,
  type TempDir,
} from '@skopeo-ts/testkit';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type DockerImageReference, dockerTransport } from '../src/index.js';

export const docker = (rest: string): DockerImageReference => dockerTransport.parseReference(rest);

/** A context for a plain-http loopback registry (as skopeo's --tls-verify=false). */
export const INSECURE: Context = { tls: { verify: false } };

export interface RegistryHandle {
  readonly registry: RunningRegistry;
  readonly host: string;
}

/** Starts a docker-registry for the test file (beforeAll) and stops it (afterAll). */
export function useRegistry(config?: RegistryConfig): RegistryHandle {
  let running: RunningRegistry | undefined;
  beforeAll(async () => {
    running = await startRegistry(config === undefined ? {} : { config });
  });
  afterAll(async () => {
    await running?.stop();
  });
  return {
    get registry(): RunningRegistry {
      if (running === undefined) throw new Error('the registry is not running (beforeAll failed?)');
      return running;
    },
    get host(): string {
      return this.registry.host;
    },
  };
}

/**
 * Starts a peer (a registry flavour, a proxy) for the surrounding describe or file (beforeAll) and
 * stops it (afterAll); call the returned function inside tests to get it.
 */
export function useStarted<T extends { stop(): Promise<void> }>(start: () => Promise<T>): () => T {
  let running: T | undefined;
  beforeAll(async () => {
    running = await start();
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (running === undefined) throw new Error('the peer is not running (beforeAll failed?)');
    return running;
  };
}

/** A temp dir removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: TempDir[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => dir.cleanup()));
  });
  return async () => {
    const dir = await makeTempDir('skopeo-ts-docker-test');
    dirs.push(dir);
    return dir.path;
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

let counter = 0;
/** A repository name unique within the test run. */
export function uniqueRepo(prefix: string): string {
  counter++;
  return `${prefix}/r${process.pid}-${Date.now().toString(36)}-${counter}`;
}
