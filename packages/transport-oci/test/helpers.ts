// Shared test helpers: references, temp dirs, error checks and child processes that copy.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, type ImageReference, isSkopeoError } from '@skopeo-ts/core';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterEach, expect } from 'vitest';
import { ociArchiveTransport, ociTransport } from '../src/index.js';

export const oci = (rest: string): ImageReference => ociTransport.parseReference(rest);
export const ociArchive = (rest: string): ImageReference => ociArchiveTransport.parseReference(rest);

/** A temp dir removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: TempDir[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => dir.cleanup()));
  });
  return async () => {
    const dir = await makeTempDir('skopeo-ts-oci-test');
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

export interface IndexJson {
  schemaVersion: number;
  mediaType?: string;
  manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
}

export async function readIndexJson(layout: string): Promise<IndexJson> {
  return JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as IndexJson;
}

export function refNames(index: IndexJson): (string | undefined)[] {
  return index.manifests.map((entry) => entry.annotations?.['org.opencontainers.image.ref.name']);
}

const CHILD_COPY = fileURLToPath(new URL('./children/copy.mjs', import.meta.url));

export interface ChildCopy {
  pid: number;
  /** Resolves with the exit code (null when killed) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when the child prints a line containing `marker`. */
  waitFor(marker: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Runs `node test/children/copy.mjs` with the built package (dist): copies each source to its
 * destination, in order. Options go as JSON in argv.
 */
export function spawnCopy(
  jobs: { src: string; dest: string }[],
  options: { acceptUncompressed?: boolean } = {},
): ChildCopy {
  const child = spawn(process.execPath, [CHILD_COPY, JSON.stringify({ jobs, ...options })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { marker: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of [...waiters]) {
      if (stdout.includes(waiter.marker)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    pid: child.pid ?? -1,
    exited,
    waitFor: (marker) =>
      stdout.includes(marker)
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({ marker, resolve });
            void exited.then(({ code }) =>
              reject(new Error(`child exited (${code}) before printing ${marker}: ${stderr}`)),
            );
          }),
    kill: (signal) => child.kill(signal),
  };
}
