// Shared test helpers: references, temp dirs, error checks and child processes that copy.
import { useTempDirs as sharedUseTempDirs } from '@skopeo-ts/testkit/vitest';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageReference } from '@skopeo-ts/core';
import { ociArchiveTransport, ociTransport } from '../src/index.js';

export const oci = (rest: string): ImageReference => ociTransport.parseReference(rest);
export const ociArchive = (rest: string): ImageReference => ociArchiveTransport.parseReference(rest);

/** A temp dir removed after the current test. */
export const useTempDirs = () => sharedUseTempDirs('skopeo-ts-oci-test');

export { expectSkopeoError } from '@skopeo-ts/testkit/vitest';

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
