// docker-archive and docker-daemon cases: oci → docker-archive (decompression-bound), docker-archive
// → oci and docker-daemon → oci (compression-bound: oci: wants gzip), oci → docker-daemon (the
// engine decompresses). The archive and the daemon's image that sources read are written once by
// skopeo; the daemon is Debian's dockerd (vfs storage) started by testkit.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningDockerd } from '@skopeo-ts/testkit';
import { type BenchCase, DEST_TAG } from './cases.js';
import type { BenchImage } from './image.js';

export const ARCHIVE_CASE_IDS = ['oci-docker-archive', 'docker-archive-oci'] as const;
export const DAEMON_CASE_IDS = ['oci-daemon', 'daemon-oci'] as const;

/** The repository and tag the image is loaded into the daemon as, for daemon → oci. */
export const DAEMON_SOURCE = 'bench/base:v1';

function hexOf(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** The image's DiffIDs, from its config in the bench layout. */
export async function diffIDsOf(image: BenchImage): Promise<string[]> {
  const config = JSON.parse(
    await readFile(join(image.layoutDir, 'blobs', 'sha256', hexOf(image.configDigest)), 'utf8'),
  ) as { rootfs: { diff_ids: string[] } };
  return config.rootfs.diff_ids;
}

/**
 * An OCI layout tagged DEST_TAG holding the image with layers compressed by the copier: the same
 * config, as many layers, every blob present with the size the manifest says.
 */
export async function verifyRecompressedLayout(dir: string, image: BenchImage): Promise<void> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === DEST_TAG,
  );
  if (entry === undefined) throw new Error(`${dir}: index.json has no image tagged ${DEST_TAG}`);
  const manifest = JSON.parse(await readFile(join(dir, 'blobs', 'sha256', hexOf(entry.digest)), 'utf8')) as {
    config: { digest: string };
    layers: { digest: string; size: number }[];
  };
  if (manifest.config.digest !== image.configDigest) {
    throw new Error(`${dir}: config ${manifest.config.digest}, expected ${image.configDigest}`);
  }
  if (manifest.layers.length !== image.layers.length) {
    throw new Error(`${dir}: ${manifest.layers.length} layers, expected ${image.layers.length}`);
  }
  for (const layer of manifest.layers) {
    const found = await stat(join(dir, 'blobs', 'sha256', hexOf(layer.digest))).catch(() => undefined);
    if (found?.size !== layer.size) throw new Error(`${dir}: layer ${layer.digest} missing or truncated`);
  }
}

/** Layers are stored decompressed: the archive holds at least the layer tars' bytes. */
async function verifyDockerArchive(path: string, image: BenchImage): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found === undefined || found.size < image.uncompressedBytes) {
    throw new Error(
      `${path}: ${found === undefined ? 'missing' : `${found.size} bytes`}, expected at least the ${image.uncompressedBytes} bytes of its layer tars`,
    );
  }
}

/** A run's repository tag in the daemon: its fresh path's name, made a valid tag. */
function daemonTag(path: string): string {
  return (path.split('/').pop() ?? 'run').replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 120);
}

export function archiveCases(image: BenchImage, sourceArchive: string): BenchCase[] {
  return [
    {
      id: 'oci-docker-archive',
      label: 'oci → docker-archive',
      source: image.reference,
      destination: (path) => `docker-archive:${path}:bench/out:v1`,
      verify: (path) => verifyDockerArchive(path, image),
    },
    {
      id: 'docker-archive-oci',
      label: 'docker-archive → oci',
      source: `docker-archive:${sourceArchive}`,
      destination: (path) => `oci:${path}:${DEST_TAG}`,
      verify: (path) => verifyRecompressedLayout(path, image),
    },
  ];
}

export interface DaemonCaseInputs {
  image: BenchImage;
  dockerd: RunningDockerd;
  diffIDs: readonly string[];
  /** Loads the image into the daemon as DAEMON_SOURCE (skopeo, untimed), for daemon → oci. */
  loadSource(): Promise<void>;
}

export function daemonCases({ image, dockerd, diffIDs, loadSource }: DaemonCaseInputs): BenchCase[] {
  const reference = (path: string) => `bench/out:${daemonTag(path)}`;
  // The image's ID is its config digest: removing it by ID drops every tag and its layers, so
  // each load into the daemon starts from nothing.
  const removeImage = async () => {
    await dockerd.client.removeImage(image.configDigest);
  };
  return [
    {
      id: 'oci-daemon',
      label: 'oci → docker-daemon',
      source: image.reference,
      flags: ['--dest-daemon-host', dockerd.host],
      destination: (path) => `docker-daemon:${reference(path)}`,
      verify: async (path) => {
        const inspected = await dockerd.client.inspectImage(reference(path));
        const layers = inspected?.RootFS.Layers ?? [];
        if (layers.join(',') !== diffIDs.join(',')) {
          throw new Error(`${reference(path)}: the daemon holds layers ${layers.join(', ') || 'none'}`);
        }
      },
      prepare: removeImage,
      release: removeImage,
    },
    {
      id: 'daemon-oci',
      label: 'docker-daemon → oci',
      source: `docker-daemon:${DAEMON_SOURCE}`,
      flags: ['--src-daemon-host', dockerd.host],
      prepare: async () => {
        if ((await dockerd.client.inspectImage(DAEMON_SOURCE)) === undefined) await loadSource();
      },
      destination: (path) => `oci:${path}:${DEST_TAG}`,
      verify: (path) => verifyRecompressedLayout(path, image),
    },
  ];
}
