// Shared test helpers: a real registry per test file, references, contexts and error checks.
import { useTempDirs as sharedUseTempDirs } from '@skopeo-ts/testkit/vitest';
import type { Context } from '@skopeo-ts/core';
import { type RegistryConfig, type RunningRegistry, startRegistry } from '@skopeo-ts/testkit';
import { afterAll, beforeAll } from 'vitest';
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
export const useTempDirs = () => sharedUseTempDirs('skopeo-ts-docker-test');

export { expectSkopeoError } from '@skopeo-ts/testkit/vitest';

let counter = 0;
/** A repository name unique within the test run. */
export function uniqueRepo(prefix: string): string {
  counter++;
  return `${prefix}/r${process.pid}-${Date.now().toString(36)}-${counter}`;
}
