// The benchmark images: real files of this machine (libraries, binaries, data, headers) tarred
// into gzip layers by the testkit's streaming layer writer, built once and cached under
// .bench-cache/ by a key of their spec. A build goes to a temp dir beside the cache and is
// renamed into place when complete, so an interrupted build is never taken for a cached one.
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { buildOciImage, type LayerBlob, packDirectory, writeLayerBlob } from '@skopeo-ts/testkit';
import { CACHE_DIR } from './paths.js';

/** Bump when the way images are built changes (the cache key covers everything else). */
const BUILDER_VERSION = 2;

const MB = 1e6;

/** One layer: the first existing directory of `candidates`, capped at `capMB` of file data. */
interface LayerPlan {
  candidates: readonly string[];
  capMB: number;
}

/**
 * About 400 MB of file data in 5 layers of different kinds, from directories every Debian 12
 * machine with a toolchain has (later candidates stand in when one is missing).
 */
const BASE_LAYERS: readonly LayerPlan[] = [
  { candidates: ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'], capMB: 165 },
  { candidates: ['/usr/share'], capMB: 100 },
  { candidates: ['/usr/bin'], capMB: 75 },
  { candidates: ['/usr/include', '/usr/lib/python3', '/usr/sbin'], capMB: 30 },
  { candidates: ['/usr/libexec', '/usr/lib/gcc', '/etc'], capMB: 20 },
];

/**
 * zlib level 6 is what docker, buildah and Go's gzip write by default, so the blobs have the
 * usual ratio; layers are built in parallel (one per core), which keeps the one-time build of
 * both images near a minute on 2 cores.
 */
export const GZIP_LEVEL = 6;

export interface ResolvedLayer {
  source: string;
  /** Path inside the layer (the source path without its leading `/`). */
  prefix: string;
  capBytes: number;
}

export interface ImageSpecification {
  name: string;
  /** Each layer holds its tree this many times (under copyN/ prefixes): 2 doubles every layer. */
  copies: number;
  layers: ResolvedLayer[];
  gzipLevel: number;
}

export interface BenchLayer {
  digest: string;
  size: number;
  uncompressedSize: number;
  source: string;
}

export interface BenchImage {
  name: string;
  key: string;
  layoutDir: string;
  tag: string;
  reference: string;
  manifestDigest: string;
  configDigest: string;
  layers: BenchLayer[];
  /** Sum of the layer blobs as stored (gzip). */
  compressedBytes: number;
  /** Sum of the layer tars. */
  uncompressedBytes: number;
  /** How long building it took (when it was built, not in this run if cached). */
  buildSeconds: number;
  builtAt: string;
}

const META_FILE = 'bench-image.json';
export const BENCH_TAG = 'bench';

function firstExisting(candidates: readonly string[]): string | undefined {
  return candidates.find((dir) => {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  });
}

/** The image specification on this machine: which directories, how much of each. */
export function resolveSpecification(name: string, copies: number): ImageSpecification {
  const layers: ResolvedLayer[] = [];
  for (const plan of BASE_LAYERS) {
    const source = firstExisting(plan.candidates);
    if (source === undefined) continue;
    layers.push({ source, prefix: source.replace(/^\/+/, ''), capBytes: plan.capMB * MB });
  }
  if (layers.length < 3) {
    throw new Error(
      `too few source directories for the benchmark image on this machine (found ${layers.map((l) => l.source).join(', ') || 'none'}); expected /usr/lib/x86_64-linux-gnu, /usr/share and /usr/bin`,
    );
  }
  return { name, copies, layers, gzipLevel: GZIP_LEVEL };
}

function specKey(spec: ImageSpecification): string {
  const text = JSON.stringify({ builder: BUILDER_VERSION, ...spec });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Keeps files (in the walk's sorted order) while they fit in `capBytes`; a file that would not
 * fit is skipped, later smaller ones may still go in. Deterministic for the same tree.
 */
function capFilter(root: string, capBytes: number): (relPath: string) => boolean {
  let total = 0;
  // Hard links are stored once (later names become link entries): count their data once too.
  const seen = new Set<string>();
  return (relPath) => {
    if (total >= capBytes) return false;
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(join(root, relPath));
    } catch {
      return false;
    }
    if (!stats.isFile()) return true;
    const inode = `${stats.dev}:${stats.ino}`;
    if (stats.nlink > 1 && seen.has(inode)) return true;
    if (total + stats.size > capBytes) return false;
    if (stats.nlink > 1) seen.add(inode);
    total += stats.size;
    return true;
  };
}

async function buildLayer(
  layer: ResolvedLayer,
  copies: number,
  outDir: string,
  level: number,
): Promise<LayerBlob> {
  return writeLayerBlob(
    outDir,
    async (pack) => {
      for (let copy = 1; copy <= copies; copy++) {
        const prefix = copy === 1 ? layer.prefix : `copy${copy}/${layer.prefix}`;
        await packDirectory(pack, layer.source, { prefix, filter: capFilter(layer.source, layer.capBytes) });
      }
    },
    { compression: 'gzip', gzipLevel: level },
  );
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

async function readCached(dir: string): Promise<BenchImage | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as BenchImage;
  } catch {
    return undefined;
  }
}

export interface EnsureImageOptions {
  rebuild: boolean;
  log: (message: string) => void;
}

/** The cached image for `spec`, built first if needed. Older builds of the same name are removed. */
export async function ensureImage(
  spec: ImageSpecification,
  options: EnsureImageOptions,
): Promise<BenchImage> {
  const key = specKey(spec);
  const imagesDir = join(CACHE_DIR, 'images');
  const dir = join(imagesDir, `${spec.name}-${key}`);
  await mkdir(imagesDir, { recursive: true });
  // Other keys of this image are stale builds; half-finished builds of dead runs go too.
  for (const entry of await readdir(imagesDir)) {
    const stale = entry.startsWith(`${spec.name}-`) && entry !== `${spec.name}-${key}`;
    const partial = entry.startsWith(`.building-${spec.name}-`);
    if (stale || (partial && !builderAlive(entry)))
      await rm(join(imagesDir, entry), { recursive: true, force: true });
  }
  if (options.rebuild) await rm(dir, { recursive: true, force: true });
  const cached = await readCached(dir);
  if (cached !== undefined) {
    const layoutDir = join(dir, 'layout');
    const damage = await cacheDamage(layoutDir, cached);
    if (damage === undefined) {
      options.log(`image ${spec.name}: cached (${dir})`);
      return { ...cached, layoutDir, reference: `oci:${layoutDir}:${cached.tag}` };
    }
    options.log(`image ${spec.name}: the cached copy is damaged (${damage}); rebuilding`);
    await rm(dir, { recursive: true, force: true });
  }

  const building = join(imagesDir, `.building-${spec.name}-${key}-${process.pid}`);
  await rm(building, { recursive: true, force: true });
  options.log(
    `image ${spec.name}: building from ${spec.layers.map((l) => l.source).join(', ')} ` +
      `(gzip -${spec.gzipLevel}${spec.copies > 1 ? `, each tree ${spec.copies}×` : ''}); cached for later runs`,
  );
  const started = Date.now();
  try {
    const staging = join(building, 'staging');
    const parallel = Math.max(1, Math.min(availableParallelism(), 4));
    const blobs = await mapLimit(spec.layers, parallel, async (layer) => {
      const blob = await buildLayer(layer, spec.copies, staging, spec.gzipLevel);
      options.log(
        `  layer ${layer.source}: ${(blob.uncompressedSize / MB).toFixed(0)} MB tar, ${(blob.size / MB).toFixed(0)} MB gzip`,
      );
      return blob;
    });
    const layoutDir = join(building, 'layout');
    const built = await buildOciImage(
      layoutDir,
      {
        layers: blobs.map((blob, i) => ({
          blob,
          createdBy: `bench: COPY ${spec.layers[i]?.source} (≤ ${(spec.layers[i]?.capBytes ?? 0) / MB} MB${spec.copies > 1 ? ` ×${spec.copies}` : ''})`,
        })),
        env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        labels: { 'org.skopeo-ts.bench': spec.name },
      },
      { tag: BENCH_TAG },
    );
    await rm(staging, { recursive: true, force: true });
    const finalLayout = join(dir, 'layout');
    const image: BenchImage = {
      name: spec.name,
      key,
      layoutDir: finalLayout,
      tag: BENCH_TAG,
      reference: `oci:${finalLayout}:${BENCH_TAG}`,
      manifestDigest: built.manifestDigest,
      configDigest: built.configDigest,
      layers: blobs.map((blob, i) => ({
        digest: blob.digest,
        size: blob.size,
        uncompressedSize: blob.uncompressedSize,
        source: spec.layers[i]?.source ?? '',
      })),
      compressedBytes: blobs.reduce((sum, blob) => sum + blob.size, 0),
      uncompressedBytes: blobs.reduce((sum, blob) => sum + blob.uncompressedSize, 0),
      buildSeconds: (Date.now() - started) / 1000,
      builtAt: new Date().toISOString(),
    };
    await writeFile(join(building, META_FILE), `${JSON.stringify(image, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(building, dir);
    options.log(`image ${spec.name}: built in ${image.buildSeconds.toFixed(1)} s`);
    return image;
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

/** Why a cached layout cannot be used (a blob missing or of the wrong size), or undefined. */
async function cacheDamage(layoutDir: string, image: BenchImage): Promise<string | undefined> {
  const blobs = [
    ...image.layers.map((layer) => ({ digest: layer.digest, size: layer.size as number | undefined })),
    { digest: image.manifestDigest, size: undefined },
    { digest: image.configDigest, size: undefined },
  ];
  for (const blob of blobs) {
    const path = join(layoutDir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length));
    const found = await stat(path).catch(() => undefined);
    if (found === undefined) return `${path} is missing`;
    if (blob.size !== undefined && found.size !== blob.size)
      return `${path} has ${found.size} bytes, not ${blob.size}`;
  }
  return undefined;
}

/** A `.building-…-PID` dir whose builder still runs (this or a concurrent bench) is left alone. */
function builderAlive(entry: string): boolean {
  const pid = Number(entry.slice(entry.lastIndexOf('-') + 1));
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads every file under `dir` once so timed runs start from the page cache. */
/** Reads every file under `path` (or the file itself) once, so runs start from the page cache. */
export async function warmPageCache(path: string): Promise<void> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path, { withFileTypes: true, recursive: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
    : [path];
  for (const file of files) {
    for await (const _chunk of createReadStream(file, { highWaterMark: MB })) {
      // only reading
    }
  }
}
