// What is copied, and the check that a run really produced the image (a copier that exits 0
// without writing everything must not look fast).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchImage } from './image.js';

export interface BenchCase {
  id: string;
  label: string;
  source: string;
  /** The destination reference for a fresh path. */
  destination(path: string): string;
  verify(path: string): Promise<void>;
  /** Extra `copy` flags, before SOURCE (both tools take them: `--src-tls-verify=false`, …). */
  flags?: readonly string[];
  /** Untimed work before a run for the fresh `path` (e.g. start a registry with empty storage). */
  prepare?(path: string): Promise<void>;
  /** Untimed clean-up after a run (after verify), whether it worked or not. */
  release?(path: string): Promise<void>;
  /**
   * Bounded by start-up rather than by moving data: reported in seconds against this target
   * instead of the ours/skopeo ratio target.
   */
  secondsTarget?: number;
  /**
   * How the runs of each tool are summed up for the table and the verdict: the median (default),
   * or the minimum for cases dominated by filesystem work, whose noise on a shared machine only
   * ever adds time.
   */
  statistic?: 'median' | 'min';
}

export const DEST_TAG = 'bench';

function hexOf(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

async function expectSize(path: string, size: number, what: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found === undefined) throw new Error(`${what} is missing: ${path}`);
  if (found.size !== size) throw new Error(`${what} has ${found.size} bytes, expected ${size}: ${path}`);
}

/** An OCI layout tagged DEST_TAG holding exactly the image (compression kept: same manifest digest). */
export async function verifyLayout(dir: string, image: BenchImage): Promise<void> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === DEST_TAG,
  );
  if (entry?.digest !== image.manifestDigest) {
    throw new Error(
      `${dir}: index.json names ${entry?.digest ?? 'no image'}, expected ${image.manifestDigest}`,
    );
  }
  for (const layer of image.layers) {
    await expectSize(join(dir, 'blobs', 'sha256', hexOf(layer.digest)), layer.size, `layer ${layer.digest}`);
  }
}

export async function verifyDir(dir: string, image: BenchImage): Promise<void> {
  const manifest = await readFile(join(dir, 'manifest.json'));
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  if (digest !== image.manifestDigest) {
    throw new Error(`${dir}: manifest.json is ${digest}, expected ${image.manifestDigest}`);
  }
  for (const layer of image.layers) {
    await expectSize(join(dir, hexOf(layer.digest)), layer.size, `layer ${layer.digest}`);
  }
}

async function verifyArchive(path: string, image: BenchImage): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found === undefined || found.size < image.compressedBytes) {
    throw new Error(
      `${path}: ${found === undefined ? 'missing' : `${found.size} bytes`}, expected at least the ${image.compressedBytes} bytes of its layers`,
    );
  }
}

export interface CaseInputs {
  image: BenchImage;
  /** The same image as a dir: directory (for dir → oci). */
  dirCopy: string;
}

export const LOCAL_CASE_IDS = ['oci-oci', 'oci-dir', 'dir-oci', 'oci-archive'] as const;
export const REGISTRY_CASE_IDS = [
  'registry-oci',
  'registry-dir',
  'oci-registry-cold',
  'oci-registry-blobs',
  'oci-registry-noop',
] as const;
export const ENGINE_CASE_IDS = [
  'oci-docker-archive',
  'docker-archive-oci',
  'oci-daemon',
  'daemon-oci',
] as const;
export const STORAGE_CASE_IDS = [
  'oci-storage-overlay',
  'oci-storage-vfs',
  'storage-oci',
  'storage-vfs-oci',
] as const;
export const CASE_IDS = [
  ...LOCAL_CASE_IDS,
  ...REGISTRY_CASE_IDS,
  ...ENGINE_CASE_IDS,
  ...STORAGE_CASE_IDS,
] as const;

export function benchCases({ image, dirCopy }: CaseInputs): BenchCase[] {
  return [
    {
      id: 'oci-oci',
      label: 'oci → oci',
      source: image.reference,
      destination: (path) => `oci:${path}:${DEST_TAG}`,
      verify: (path) => verifyLayout(path, image),
    },
    {
      id: 'oci-dir',
      label: 'oci → dir',
      source: image.reference,
      destination: (path) => `dir:${path}`,
      verify: (path) => verifyDir(path, image),
    },
    {
      id: 'dir-oci',
      label: 'dir → oci',
      source: `dir:${dirCopy}`,
      destination: (path) => `oci:${path}:${DEST_TAG}`,
      verify: (path) => verifyLayout(path, image),
    },
    {
      id: 'oci-archive',
      label: 'oci → oci-archive',
      source: image.reference,
      destination: (path) => `oci-archive:${path}:${DEST_TAG}`,
      verify: (path) => verifyArchive(path, image),
    },
  ];
}

/** oci → oci with the image twice as large: for "peak RSS stays flat as the image grows". */
export function largeCase(large: BenchImage): BenchCase {
  return {
    id: 'oci-oci-2x',
    label: 'oci → oci, 2× image',
    source: large.reference,
    destination: (path) => `oci:${path}:${DEST_TAG}`,
    verify: (path) => verifyLayout(path, large),
  };
}
