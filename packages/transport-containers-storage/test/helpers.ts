// Test stores in temp dirs, the real peers (podman, skopeo) pointed at them, and cleanup that
// unmounts what podman and skopeo leave mounted (GRAPHROOT/overlay) even when a test fails.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ImageReference } from '@skopeo-ts/core';
import { requirePeer, type TempDir, unmountAllUnder } from '@skopeo-ts/testkit';
import ociPlugin from '@skopeo-ts/transport-oci';
import { afterEach } from 'vitest';
import { containersStorageTransport } from '../src/index.js';

const run = promisify(execFile);

export type DriverSetup = 'vfs' | 'overlay' | 'fuse-overlayfs';
export const DRIVER_SETUPS: readonly DriverSetup[] = ['vfs', 'overlay', 'fuse-overlayfs'];

const ociTransport = ociPlugin.transports.find((t) => t.name === 'oci');
export const oci = (rest: string): ImageReference => {
  if (ociTransport === undefined) throw new Error('transport-oci has no oci transport');
  return ociTransport.parseReference(rest);
};
export const storage = (rest: string): ImageReference => containersStorageTransport.parseReference(rest);

export interface TestStore {
  graphRoot: string;
  runRoot: string;
  driver: 'vfs' | 'overlay';
  /** `[driver@graph+run:options]` */
  spec: string;
  /** Arguments that point podman at the store. */
  podmanArgs: string[];
  ref(name: string): ImageReference;
  text(name: string): string;
}

function storeFor(dir: string, setup: DriverSetup): TestStore {
  const graphRoot = join(dir, 'root');
  const runRoot = join(dir, 'run');
  const driver = setup === 'vfs' ? 'vfs' : 'overlay';
  const options =
    setup === 'fuse-overlayfs'
      ? `:overlay.mount_program=${requirePeer('fuse-overlayfs', 'fuse-overlayfs')}`
      : '';
  const spec = `[${driver}@${graphRoot}+${runRoot}${options}]`;
  const podmanArgs = ['--root', graphRoot, '--runroot', runRoot, '--storage-driver', driver];
  if (options !== '') podmanArgs.push('--storage-opt', options.slice(1));
  return {
    graphRoot,
    runRoot,
    driver,
    spec,
    podmanArgs,
    ref: (name) => storage(`${spec}${name}`),
    text: (name) => `containers-storage:${spec}${name}`,
  };
}

/** Temp dirs (and test stores in them) removed after the current test, mounts first. */
export function useTempDirs(): { dir(): Promise<string>; store(setup: DriverSetup): Promise<TestStore> } {
  const dirs: TempDir[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) {
      unmountAllUnder(dir.path);
      await dir.cleanup();
    }
  });
  const dir = async () => {
    // Lower case only: podman names images pulled from oci:PATH after the path.
    const path = join(tmpdir(), `skopeo-ts-storage-${randomBytes(6).toString('hex')}`);
    await mkdir(path, { mode: 0o700 });
    dirs.push({ path, cleanup: () => rm(path, { recursive: true, force: true }) });
    return path;
  };
  return { dir, store: async (setup) => storeFor(await dir(), setup) };
}

export async function podman(store: TestStore, args: readonly string[]): Promise<string> {
  const binary = requirePeer('podman', 'podman');
  try {
    const { stdout } = await run(binary, [...store.podmanArgs, ...args], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, CONTAINERS_CONF: '/dev/null', CONTAINERS_REGISTRIES_CONF: '/dev/null' },
    });
    return stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`podman ${args.join(' ')} failed: ${detail || (error as Error).message}`);
  }
}

export { expectSkopeoError } from '@skopeo-ts/testkit/vitest';

export interface CopyChild {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Runs test/children/copy.mjs (the built package) on `jobs` in its own process. */
export function spawnCopy(
  jobs: readonly { src: string; dest: string }[],
  options: { tmpDir?: string } = {},
): CopyChild {
  const script = fileURLToPath(new URL('./children/copy.mjs', import.meta.url));
  const env = options.tmpDir === undefined ? process.env : { ...process.env, TMPDIR: options.tmpDir };
  const child = spawn(process.execPath, [script, JSON.stringify({ jobs })], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return { pid: child.pid ?? -1, exited, kill: (signal) => child.kill(signal) };
}
