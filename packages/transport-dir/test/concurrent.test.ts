// Several writers on one dir: directory: each stages its blobs privately and commits under the
// directory lock, so the last commit wins with a whole image, and no writer breaks another.
import { spawn } from 'node:child_process';
import { access, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { copyImage, type Digest, isSkopeoError, MemoryBlobInfoCache } from '@skopeo-ts/core';
import { acquireFileLock } from '@skopeo-ts/file-lock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirReference } from '../src/index.js';
import { LOCK_FILE, TEMP_HOST } from '../src/layout.js';
import {
  buildFixtures,
  caught,
  type Fixtures,
  readAll,
  sha256,
  snapshotDir,
  writeDirImage,
  writeDirIndex,
} from './helpers.js';

let f: Fixtures;
let n = 0;
const fresh = (name: string) => join(f.tmp.path, `${name}-${++n}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  f = await buildFixtures();
});
afterAll(() => f.tmp.cleanup());

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** A pid that is certainly not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 999_999;
}

/** Takes the directory's commit lock, as another writer would. */
function holdLock(dir: string): Promise<() => Promise<void>> {
  return acquireFileLock(join(dir, LOCK_FILE));
}

/** Reads the image at `dir` through our source and checks every blob against its digest. */
async function expectWholeImage(dir: string, manifestBytes: Uint8Array): Promise<void> {
  const source = await parseDirReference(dir).newSource({});
  try {
    expect(Buffer.from((await source.getManifest()).bytes)).toEqual(Buffer.from(manifestBytes));
    const manifest = JSON.parse(Buffer.from(manifestBytes).toString()) as {
      config: { digest: Digest };
      layers: { digest: Digest }[];
    };
    for (const { digest } of [manifest.config, ...manifest.layers]) {
      const blob = await source.getBlob({ digest, size: -1 });
      expect(sha256(await readAll(blob.stream))).toBe(digest);
    }
  } finally {
    await source.close();
  }
}

describe('two dir: destinations writing one directory', () => {
  it('the last commit wins, whole, even when the other one removed a blob it reuses', async () => {
    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    const dest = fresh('dest');
    await writeDirImage(dest, f.single);

    const cache = new MemoryBlobInfoCache();
    const late = await parseDirReference(dest).newDestination({});
    // `late` reuses the config of the image there now, then the other writer replaces that image.
    const config = { digest: f.single.configDigest as Digest, size: f.single.configBytes.length };
    expect(await late.tryReusingBlob(config, { isConfig: true, cache, canSubstitute: false })).toMatchObject(
      config,
    );
    await copyImage(parseDirReference(src), parseDirReference(dest));
    expect(await readdir(dest)).not.toContain(hex(f.single.configDigest));
    for (const [index, layer] of f.single.layers.entries()) {
      await late.putBlob(
        Readable.from([await readFile(layer.path)]),
        { digest: layer.digest as Digest, size: layer.size },
        { isConfig: false, layerIndex: index, cache },
      );
    }
    await late.putManifest(f.single.manifestBytes);
    await late.commit();
    await late.close();

    await expectWholeImage(dest, f.single.manifestBytes);
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(await singleDir()));
  });

  it('a writer that started first and commits first is replaced by the later commit', async () => {
    const dest = fresh('order');
    const first = await parseDirReference(dest).newDestination({});
    const second = await parseDirReference(dest).newDestination({});
    const cache = new MemoryBlobInfoCache();
    const put = async (destination: typeof first, bytes: Buffer, manifest: Uint8Array): Promise<void> => {
      await destination.putBlob(
        Readable.from([bytes]),
        { digest: undefined, size: -1 },
        { isConfig: false, cache },
      );
      await destination.putManifest(manifest);
    };
    await put(first, Buffer.from('first layer'), Buffer.from('{"first":true}'));
    await put(second, Buffer.from('second layer'), Buffer.from('{"second":true}'));
    await first.commit();
    await first.close();
    await second.commit();
    await second.close();
    expect((await readdir(dest)).sort()).toEqual(
      [hex(sha256(Buffer.from('second layer'))), 'manifest.json', 'version'].sort(),
    );
    expect(await readFile(join(dest, 'manifest.json'), 'utf8')).toBe('{"second":true}');
  });

  it('a writer that gives up leaves the other one and the directory it created alone', async () => {
    const dest = join(fresh('parent'), 'image');
    const quitter = await parseDirReference(dest).newDestination({});
    const other = await parseDirReference(dest).newDestination({});
    await quitter.close(); // it created the directory, which the other writer is using
    const cache = new MemoryBlobInfoCache();
    await other.putBlob(
      Readable.from([f.single.configBytes]),
      { digest: f.single.configDigest as Digest, size: f.single.configBytes.length },
      { isConfig: true, cache },
    );
    for (const [index, layer] of f.single.layers.entries()) {
      await other.putBlob(
        Readable.from([await readFile(layer.path)]),
        { digest: layer.digest as Digest, size: layer.size },
        { isConfig: false, layerIndex: index, cache },
      );
    }
    await other.putManifest(f.single.manifestBytes);
    await other.commit();
    await other.close();
    await expectWholeImage(dest, f.single.manifestBytes);
  });

  it('many copies into one directory at once all succeed, and one of the images is there whole', async () => {
    const single = fresh('single');
    await writeDirImage(single, f.single);
    const layered = fresh('layered');
    await writeDirImage(layered, f.multiLayer);
    const list = fresh('list');
    await writeDirIndex(list, f.multiArch);
    const dest = fresh('crowded');
    const sources = [single, layered, list, single, layered, list];
    const results = await Promise.all(
      sources.map((src) => copyImage(parseDirReference(src), parseDirReference(dest), { multiArch: 'all' })),
    );
    expect(results).toHaveLength(sources.length);
    const stored = await snapshotDir(dest);
    const candidates = [await snapshotDir(single), await snapshotDir(layered), await snapshotDir(list)];
    expect(candidates).toContainEqual(stored);
  });
});

/** Like snapshotDir, without our own entries (staging directories, temp files, the lock). */
async function snapshotWithoutOurs(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('.skopeo-ts-')) continue;
    snapshot[name] = hex(sha256(await readFile(join(dir, name))));
  }
  return snapshot;
}

/** A directory holding the single fixture, as the expected end state. */
async function singleDir(): Promise<string> {
  const dir = fresh('expected-single');
  await writeDirImage(dir, f.single);
  return dir;
}

describe('leftovers of other writers', () => {
  it('are removed at commit when their writer is gone, and kept while it runs', async () => {
    const dest = fresh('leftovers');
    await writeDirImage(dest, f.single);
    const dead = await deadPid();
    const gone = [
      `.skopeo-ts-tmp-${TEMP_HOST}-${dead}-stage-0123456789abcdef`,
      `.skopeo-ts-tmp-${TEMP_HOST}-${dead}-file-0123456789abcdef`,
      '.skopeo-ts-tmp-blob-0123456789abcdef', // an older version's name
      '.skopeo-ts-tmp-otherhost-42-stage-0123456789abcdef', // another host, untouched for 2 days
    ];
    const running = [
      `.skopeo-ts-tmp-${TEMP_HOST}-${process.ppid}-stage-fedcba9876543210`, // a live process
      '.skopeo-ts-tmp-otherhost-42-stage-fedcba9876543210', // another host, recent
    ];
    for (const name of [...gone, ...running]) {
      if (name.includes('-stage-')) {
        await mkdir(join(dest, name));
        await writeFile(join(dest, name, 'partial'), 'partial blob');
      } else {
        await writeFile(join(dest, name), 'partial');
      }
    }
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(join(dest, gone[3]!), twoDaysAgo, twoDaysAgo);

    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    await copyImage(parseDirReference(src), parseDirReference(dest));
    const names = await readdir(dest);
    for (const name of gone) expect(names).not.toContain(name);
    for (const name of running) expect(names).toContain(name);
    await expectWholeImage(dest, f.multiLayer.manifestBytes);
  });

  it('do not make a directory look used: one holding only them and a lock is accepted', async () => {
    const dest = fresh('only-ours');
    await mkdir(dest);
    await writeFile(join(dest, LOCK_FILE), '{}');
    await mkdir(join(dest, `.skopeo-ts-tmp-${TEMP_HOST}-${process.ppid}-stage-0123456789abcdef`));
    const destination = await parseDirReference(dest).newDestination({});
    await destination.close();
  });
});

describe('a directory another writer of ours is committing to, or died committing to', () => {
  const stagingName = () => `.skopeo-ts-tmp-${TEMP_HOST}-${process.ppid}-stage-0123456789abcdef`;

  it('is judged once that commit is done (a first commit writes version last)', async () => {
    const dest = fresh('first-commit');
    await mkdir(join(dest, stagingName()), { recursive: true });
    await writeFile(join(dest, hex(f.single.configDigest)), f.single.configBytes);
    await writeFile(join(dest, 'manifest.json'), f.single.manifestBytes);
    const release = await holdLock(dest);
    let opened = false;
    const opening = parseDirReference(dest)
      .newDestination({})
      .then((destination) => {
        opened = true;
        return destination;
      });
    await sleep(50);
    expect(opened).toBe(false);
    await writeFile(join(dest, 'version'), 'Directory Transport Version: 1.1\n');
    await release();
    await (await opening).close();
  });

  it('is accepted when it holds only image files and ours (a first commit that died)', async () => {
    const dest = fresh('died');
    await mkdir(join(dest, stagingName()), { recursive: true });
    await writeFile(join(dest, hex(f.single.configDigest)), f.single.configBytes);
    await writeFile(join(dest, 'manifest.json'), f.single.manifestBytes);
    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    await copyImage(parseDirReference(src), parseDirReference(dest));
    await expectWholeImage(dest, f.multiLayer.manifestBytes);
  });

  it('is still refused when it holds anything else', async () => {
    const dest = fresh('not-ours');
    await mkdir(join(dest, stagingName()), { recursive: true });
    await writeFile(join(dest, 'thesis.tex'), 'years of work');
    const error = await caught(() => parseDirReference(dest).newDestination({}));
    expect(isSkopeoError(error, 'CONFLICT')).toBe(true);
    expect((await readdir(dest)).sort()).toEqual([stagingName(), 'thesis.tex'].sort());
  });
});

// The lock itself is @skopeo-ts/file-lock (tested there): what is checked here is that commits
// take it, and what they do when it is held, broken or cannot be had.
describe('the commit lock', () => {
  it('a lock left by a writer that died is broken at commit, and nothing of it stays behind', async () => {
    const dest = fresh('dead-holder');
    await writeDirImage(dest, f.single);
    const lock = join(dest, LOCK_FILE);
    await writeFile(lock, JSON.stringify({ host: hostname(), pid: await deadPid(), token: 'dead' }));
    const debug: string[] = [];
    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    await copyImage(parseDirReference(src), parseDirReference(dest), {
      destinationContext: { debug: (message) => debug.push(message) },
    });
    expect(debug).toContainEqual(expect.stringMatching(/^dir: breaking the stale lock /));
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(src));
  });

  it('a commit waits for the lock: nothing of its image appears while another writer holds it', async () => {
    const dest = fresh('held');
    await writeDirImage(dest, f.single);
    const before = await snapshotDir(dest);
    const destination = await parseDirReference(dest).newDestination({});
    await destination.putBlob(
      Readable.from([Buffer.from('layer')]),
      { digest: undefined, size: -1 },
      { isConfig: false, cache: new MemoryBlobInfoCache() },
    );
    await destination.putManifest(Buffer.from('{"new":true}'));
    const release = await holdLock(dest);
    const committing = destination.commit();
    await sleep(100);
    expect(await snapshotWithoutOurs(dest)).toEqual(before);
    await release();
    await committing;
    await destination.close();
    expect(await readFile(join(dest, 'manifest.json'), 'utf8')).toBe('{"new":true}');
  });

  it('a commit that cannot get the lock fails, commits nothing and rolls back', async () => {
    const dest = join(fresh('parent'), 'image');
    const destination = await parseDirReference(dest).newDestination({});
    await destination.putBlob(
      Readable.from([Buffer.from('layer')]),
      { digest: undefined, size: -1 },
      { isConfig: false, cache: new MemoryBlobInfoCache() },
    );
    await destination.putManifest(f.single.manifestBytes);
    const release = await holdLock(dest);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await caught(() => destination.commit({ signal: controller.signal }));
    expect(isSkopeoError(error, 'ABORTED')).toBe(true);
    await release();
    await destination.close();
    // It created the directory and its parent: both are gone again.
    await expect(access(join(dest, '..'))).rejects.toThrow(/ENOENT/);
  });
});
