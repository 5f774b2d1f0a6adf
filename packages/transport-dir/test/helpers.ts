// Test helpers: dir: images written by hand from testkit fixtures (so unit tests need no skopeo),
// and snapshots of a directory to compare before and after.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuiltIndex, BuiltManifest } from '@skopeo-ts/testkit';
import { buildMultiArchIndex, buildOciImage, fixtures, makeTempDir, type TempDir } from '@skopeo-ts/testkit';

export const VERSION_1_1 = 'Directory Transport Version: 1.1\n';

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

async function writeImageFiles(dir: string, image: BuiltManifest, manifestName: string): Promise<void> {
  await writeFile(join(dir, hex(image.configDigest)), image.configBytes);
  for (const layer of image.layers) await copyFile(layer.path, join(dir, hex(layer.digest)));
  await writeFile(join(dir, manifestName), image.manifestBytes);
}

/** Writes a single image in the dir: layout, as skopeo would. */
export async function writeDirImage(dir: string, image: BuiltManifest): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeImageFiles(dir, image, 'manifest.json');
  await writeFile(join(dir, 'version'), VERSION_1_1);
}

/** Writes a list and every instance in the dir: layout, as `skopeo copy --all` would. */
export async function writeDirIndex(dir: string, index: BuiltIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const image of index.images) {
    await writeImageFiles(dir, image, `${hex(image.manifestDigest)}.manifest.json`);
  }
  await writeFile(join(dir, 'manifest.json'), index.indexBytes);
  await writeFile(join(dir, 'version'), VERSION_1_1);
}

export interface Fixtures {
  tmp: TempDir;
  single: BuiltManifest;
  multiLayer: BuiltManifest;
  multiArch: BuiltIndex;
}

/** Builds the three preset fixtures into OCI layouts under a new temp dir. */
export async function buildFixtures(): Promise<Fixtures> {
  const tmp = await makeTempDir('transport-dir-fixtures');
  return {
    tmp,
    single: await buildOciImage(join(tmp.path, 'single'), fixtures.single()),
    multiLayer: await buildOciImage(join(tmp.path, 'multi-layer'), fixtures.multiLayer()),
    multiArch: await buildMultiArchIndex(join(tmp.path, 'multi-arch'), fixtures.multiArch()),
  };
}

/** Every file in `dir` (not recursive) with the sha256 of its content. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    snapshot[name] = createHash('sha256')
      .update(await readFile(join(dir, name)))
      .digest('hex');
  }
  return snapshot;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Reads a whole stream (for small test blobs only). */
export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Runs `action` and returns what it threw (fails the test when it does not throw). */
export async function caught(action: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await action();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the action to throw');
}
