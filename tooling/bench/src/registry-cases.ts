// Registry cases: Debian's docker-registry on loopback (plain HTTP, so both tools run with
// `--src-tls-verify=false` / `--dest-tls-verify=false`), pulled from and pushed to.
import { basename } from 'node:path';
import { type RunningRegistry, startRegistry } from '@skopeo-ts/testkit';
import { type BenchCase, DEST_TAG, verifyDir, verifyLayout } from './cases.js';
import type { BenchImage } from './image.js';

/** The repository and tag the shared registry serves the bench image as. */
export const REGISTRY_REPOSITORY = 'bench/base';
export const REGISTRY_TAG = 'v1';

/**
 * A no-op re-push, and a push under a new tag of an image the repository already has, move no
 * layer data: both are bounded by Node's start-up and judged in seconds.
 */
export const NOOP_TARGET_SECONDS = 0.25;

const SRC_INSECURE = ['--src-tls-verify=false'] as const;
const DEST_INSECURE = ['--dest-tls-verify=false'] as const;

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

async function head(url: string, accept?: string): Promise<Response> {
  return fetch(url, { method: 'HEAD', ...(accept ? { headers: { accept } } : {}) });
}

/** The tag names the bench image's manifest, and (with `blobs`) every blob is stored. */
export async function verifyRegistryImage(
  registry: RunningRegistry,
  repository: string,
  tag: string,
  image: BenchImage,
  blobs: boolean,
): Promise<void> {
  const base = `${registry.url}/v2/${repository}`;
  const response = await head(`${base}/manifests/${tag}`, MANIFEST_ACCEPT);
  const digest = response.headers.get('docker-content-digest');
  if (response.status !== 200 || digest !== image.manifestDigest) {
    throw new Error(
      `${registry.host}/${repository}:${tag}: HTTP ${response.status}, digest ${digest ?? 'none'}, expected ${image.manifestDigest}`,
    );
  }
  if (!blobs) return;
  for (const blob of [{ digest: image.configDigest, size: undefined }, ...image.layers]) {
    const found = await head(`${base}/blobs/${blob.digest}`);
    const size = Number(found.headers.get('content-length'));
    if (found.status !== 200 || (blob.size !== undefined && size !== blob.size)) {
      throw new Error(
        `${registry.host}/${repository}: blob ${blob.digest}: HTTP ${found.status}, ${size} bytes`,
      );
    }
  }
}

/** A run's tag: its fresh path's name (`oci-registry-blobs-ours-2`), a valid tag. */
function runTag(path: string): string {
  return basename(path)
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 128);
}

export interface RegistryCaseInputs {
  image: BenchImage;
  /** The shared registry, already serving the image as REGISTRY_REPOSITORY:REGISTRY_TAG. */
  registry: RunningRegistry;
}

export function registryCases({ image, registry }: RegistryCaseInputs): BenchCase[] {
  const served = `docker://${registry.host}/${REGISTRY_REPOSITORY}:${REGISTRY_TAG}`;
  // Cold pushes: a registry with a storage root of its own per run, started and stopped untimed.
  const cold = new Map<string, RunningRegistry>();
  const coldRegistry = (path: string): RunningRegistry => {
    const found = cold.get(path);
    if (found === undefined) throw new Error(`no registry was started for ${path}`);
    return found;
  };
  return [
    {
      id: 'registry-oci',
      label: 'registry → oci',
      source: served,
      flags: SRC_INSECURE,
      destination: (path) => `oci:${path}:${DEST_TAG}`,
      verify: (path) => verifyLayout(path, image),
    },
    {
      id: 'registry-dir',
      label: 'registry → dir',
      source: served,
      flags: SRC_INSECURE,
      destination: (path) => `dir:${path}`,
      verify: (path) => verifyDir(path, image),
    },
    {
      id: 'oci-registry-cold',
      label: 'oci → registry, cold',
      source: image.reference,
      flags: DEST_INSECURE,
      prepare: async (path) => {
        cold.set(path, await startRegistry());
      },
      destination: (path) => `docker://${coldRegistry(path).host}/${REGISTRY_REPOSITORY}:${DEST_TAG}`,
      verify: (path) => verifyRegistryImage(coldRegistry(path), REGISTRY_REPOSITORY, DEST_TAG, image, true),
      release: async (path) => {
        const running = cold.get(path);
        cold.delete(path);
        await running?.stop();
      },
    },
    {
      id: 'oci-registry-blobs',
      label: 'oci → registry, blobs there (new tag)',
      source: image.reference,
      flags: DEST_INSECURE,
      destination: (path) => `docker://${registry.host}/${REGISTRY_REPOSITORY}:${runTag(path)}`,
      verify: (path) => verifyRegistryImage(registry, REGISTRY_REPOSITORY, runTag(path), image, true),
      secondsTarget: NOOP_TARGET_SECONDS,
    },
    {
      id: 'oci-registry-noop',
      label: 'oci → registry, no-op re-push',
      source: image.reference,
      flags: DEST_INSECURE,
      destination: () => served,
      verify: () => verifyRegistryImage(registry, REGISTRY_REPOSITORY, REGISTRY_TAG, image, false),
      secondsTarget: NOOP_TARGET_SECONDS,
    },
  ];
}
