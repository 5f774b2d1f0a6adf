// The destination's safety rules: what it refuses to overwrite, what a failed or abandoned copy
// leaves behind (nothing), and how disk errors are reported.
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { copyImage, type Digest, isSkopeoError, MemoryBlobInfoCache } from '@skopeo-ts/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirReference } from '../src/index.js';
import { buildFixtures, caught, type Fixtures, snapshotDir, VERSION_1_1, writeDirImage } from './helpers.js';

let f: Fixtures;
let n = 0;
const fresh = (name: string) => join(f.tmp.path, `${name}-${++n}`);
const blobOptions = () => ({ isConfig: false, cache: new MemoryBlobInfoCache() });

beforeAll(async () => {
  f = await buildFixtures();
});
afterAll(() => f.tmp.cleanup());

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** Every regular file below `dir`, as paths relative to it, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A source dir holding the multi-layer image, and a destination already holding the single one. */
async function previousImageSetup(): Promise<{ src: string; dest: string; before: Record<string, string> }> {
  const src = fresh('src');
  await writeDirImage(src, f.multiLayer);
  const dest = fresh('previous');
  await writeDirImage(dest, f.single);
  await writeFile(join(dest, 'signature-1'), Buffer.from([0x89, 0, 1]));
  return { src, dest, before: await snapshotDir(dest) };
}

describe('a dir: destination', () => {
  it('refuses a non-empty directory that is not an image directory, touching nothing', async () => {
    const dest = fresh('precious');
    await mkdir(dest);
    await writeFile(join(dest, 'thesis.tex'), 'years of work');
    const error = await caught(() => parseDirReference(dest).newDestination({}));
    expect(isSkopeoError(error, 'CONFLICT')).toBe(true);
    expect(error.message).toContain(dest);
    expect(error.message).toMatch(/not a container image directory.*no "version" file/);
    expect(await readdir(dest)).toEqual(['thesis.tex']);
  });

  it('refuses a directory whose version file is not a dir: version', async () => {
    const dest = fresh('other-version');
    await mkdir(dest);
    await writeFile(join(dest, 'version'), '1.0\n');
    const error = await caught(() => parseDirReference(dest).newDestination({}));
    expect(isSkopeoError(error, 'CONFLICT')).toBe(true);
    expect(error.message).toMatch(/"version" file does not hold a dir: transport version/);
  });

  it('refuses a newer layout version than it knows', async () => {
    const dest = fresh('future');
    await mkdir(dest);
    await writeFile(join(dest, 'version'), 'Directory Transport Version: 1.3\n');
    const error = await caught(() => parseDirReference(dest).newDestination({}));
    expect(isSkopeoError(error, 'UNSUPPORTED')).toBe(true);
    expect(error.message).toMatch(/version 1\.3.*up to 1\.2/);
  });

  it('accepts an empty directory, and one holding only its own leftover temporary files', async () => {
    const empty = fresh('empty');
    await mkdir(empty);
    await (await parseDirReference(empty).newDestination({})).close();
    expect(await readdir(empty)).toEqual([]);

    const leftovers = fresh('leftovers');
    await mkdir(leftovers);
    await writeFile(join(leftovers, '.skopeo-ts-tmp-blob-0123'), 'partial');
    const src = fresh('src');
    await writeDirImage(src, f.single);
    await copyImage(parseDirReference(src), parseDirReference(leftovers));
    expect(await snapshotDir(leftovers)).toEqual(await snapshotDir(src));
  });

  it('replaces a previous image at commit, leaving only the new image', async () => {
    const { src, dest } = await previousImageSetup();
    await copyImage(parseDirReference(src), parseDirReference(dest));
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(src));
  });

  it('close() without commit leaves nothing in a new directory (not even the directory)', async () => {
    const dest = join(fresh('parent'), 'nested', 'image');
    const destination = await parseDirReference(dest).newDestination({});
    await destination.putBlob(
      Readable.from([Buffer.from('layer')]),
      { digest: undefined, size: -1 },
      blobOptions(),
    );
    await destination.putManifest(f.single.manifestBytes);
    await destination.close();
    expect(await exists(dest)).toBe(false);
    expect(await exists(join(dest, '..', '..'))).toBe(false);
  });

  it('close() without commit keeps a previous image intact', async () => {
    const { dest, before } = await previousImageSetup();
    const destination = await parseDirReference(dest).newDestination({});
    await destination.putBlob(
      Readable.from([Buffer.from('new layer')]),
      { digest: undefined, size: -1 },
      blobOptions(),
    );
    // A blob the previous image has too: written again, it must survive the rollback.
    const config = f.single.configBytes;
    await destination.putBlob(
      Readable.from([config]),
      { digest: f.single.configDigest as Digest, size: config.length },
      blobOptions(),
    );
    await destination.putManifest(Buffer.from('{}'));
    await destination.putSignatures([{ kind: 'simple-signing', bytes: Buffer.from([0x89, 9]) }]);
    await destination.close();
    expect(await snapshotDir(dest)).toEqual(before);
    const source = await parseDirReference(dest).newSource({});
    expect(Buffer.from((await source.getManifest()).bytes)).toEqual(f.single.manifestBytes);
  });

  it('a corrupted source blob fails the copy with DIGEST_MISMATCH and commits nothing', async () => {
    const { src, dest, before } = await previousImageSetup();
    const layerPath = join(src, hex(f.multiLayer.layerDigests[2]!));
    const bytes = await readFile(layerPath);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10]! + 1) % 256; // same size, other content
    await writeFile(layerPath, bytes);

    const error = await caught(() => copyImage(parseDirReference(src), parseDirReference(dest)));
    expect(isSkopeoError(error, 'DIGEST_MISMATCH')).toBe(true);
    expect(await snapshotDir(dest)).toEqual(before);

    const newDest = fresh('never-created');
    const again = await caught(() => copyImage(parseDirReference(src), parseDirReference(newDest)));
    expect(isSkopeoError(again, 'DIGEST_MISMATCH')).toBe(true);
    expect(await exists(newDest)).toBe(false);
  });

  it('an aborted copy leaves nothing behind', async () => {
    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    const dest = fresh('aborted');
    const controller = new AbortController();
    const copying = copyImage(parseDirReference(src), parseDirReference(dest), {
      signal: controller.signal,
      progress: (event) => {
        if (event.kind === 'blob-start') controller.abort(new Error('user pressed ^C'));
      },
    });
    const error = await caught(() => copying);
    expect(isSkopeoError(error, 'ABORTED')).toBe(true);
    expect(await exists(dest)).toBe(false);
  });

  it('reuses a blob already present with the right size, and rewrites one of the wrong size', async () => {
    const dest = fresh('reuse');
    await mkdir(dest);
    const content = Buffer.from('some layer content');
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}` as Digest;
    await writeFile(join(dest, hex(digest)), content);
    await writeFile(join(dest, 'version'), VERSION_1_1);
    const destination = await parseDirReference(dest).newDestination({});
    const reuseOptions = { ...blobOptions(), canSubstitute: false };
    expect(await destination.tryReusingBlob({ digest, size: content.length }, reuseOptions)).toEqual({
      digest,
      size: content.length,
    });
    expect(await destination.tryReusingBlob({ digest, size: -1 }, reuseOptions)).toMatchObject({
      size: content.length,
    });
    expect(
      await destination.tryReusingBlob({ digest, size: content.length + 1 }, reuseOptions),
    ).toBeUndefined();
    const missing = `sha256:${'0'.repeat(64)}` as Digest;
    expect(await destination.tryReusingBlob({ digest: missing, size: 1 }, reuseOptions)).toBeUndefined();
    await destination.close();
  });

  it('names non-sha256 blobs <algorithm>-<hex> and then writes layout version 1.2', async () => {
    const dest = fresh('sha512');
    const content = Buffer.from('sha512 content');
    const digest = `sha512:${createHash('sha512').update(content).digest('hex')}` as Digest;
    const destination = await parseDirReference(dest).newDestination({});
    const written = await destination.putBlob(
      Readable.from([content]),
      { digest, size: content.length },
      blobOptions(),
    );
    expect(written).toEqual({ digest, size: content.length });
    await destination.putManifest(f.single.manifestBytes);
    await destination.commit();
    await destination.close();
    expect(await readFile(join(dest, `sha512-${hex(digest)}`))).toEqual(content);
    expect(await readFile(join(dest, 'version'), 'utf8')).toBe('Directory Transport Version: 1.2\n');
    const source = await parseDirReference(dest).newSource({});
    const blob = await source.getBlob({ digest, size: -1 });
    expect(blob.size).toBe(content.length);
    blob.stream.destroy();
  });

  it('refuses a size that does not match what was streamed', async () => {
    const dest = fresh('size');
    const destination = await parseDirReference(dest).newDestination({});
    const error = await caught(() =>
      destination.putBlob(Readable.from([Buffer.from('abc')]), { digest: undefined, size: 4 }, blobOptions()),
    );
    expect(isSkopeoError(error, 'SIZE_MISMATCH')).toBe(true);
    expect(await filesUnder(dest)).toEqual([]);
    await destination.close();
    expect(await exists(dest)).toBe(false); // it created the directory
  });

  it('refuses to commit without a manifest', async () => {
    const destination = await parseDirReference(fresh('no-manifest')).newDestination({});
    const error = await caught(() => destination.commit());
    expect(error.message).toMatch(/no manifest was written/);
    await destination.close();
  });
});

describe('disk errors at a dir: destination', () => {
  it('carry the path when a file stands where a directory is expected', async () => {
    const file = fresh('a-file');
    await writeFile(file, 'not a directory');
    for (const dest of [file, join(file, 'image')]) {
      const error = await caught(() => parseDirReference(dest).newDestination({}));
      expect(isSkopeoError(error, 'IO')).toBe(true);
      expect(error.path).toBe(dest);
      expect(error.message).toContain(dest);
      expect(error.message).toMatch(/not a directory/i);
    }
  });

  it('carry the path when the directory disappears during the copy', async () => {
    const dest = fresh('vanishing');
    const destination = await parseDirReference(dest).newDestination({});
    await import('node:fs/promises').then((fs) => fs.rm(dest, { recursive: true }));
    await writeFile(dest, 'now a file');
    const error = await caught(() =>
      destination.putBlob(Readable.from([Buffer.from('x')]), { digest: undefined, size: -1 }, blobOptions()),
    );
    expect(isSkopeoError(error, 'IO')).toBe(true);
    expect(error.path).toBe(dest);
    expect(error.message).toContain(dest);
    await destination.close();
  });

  it('shows nothing before commit: manifest.json and version appear only then', async () => {
    const dest = fresh('order');
    const destination = await parseDirReference(dest).newDestination({});
    const config = f.single.configBytes;
    await destination.putBlob(
      Readable.from([config]),
      { digest: f.single.configDigest as Digest, size: config.length },
      { ...blobOptions(), isConfig: true },
    );
    await destination.putManifest(f.single.manifestBytes);
    await destination.putSignatures([{ kind: 'simple-signing', bytes: Buffer.from([0x89]) }]);
    // Only the destination's staging directory is there, with the blob in it.
    const staged = await readdir(dest);
    expect(staged).toHaveLength(1);
    expect(staged[0]).toMatch(/^\.skopeo-ts-tmp-.*-stage-/);
    expect(await filesUnder(dest)).toEqual([join(staged[0]!, hex(f.single.configDigest))]);
    await destination.commit();
    await destination.close();
    expect((await readdir(dest)).sort()).toEqual(
      [hex(f.single.configDigest), 'manifest.json', 'signature-1', 'version'].sort(),
    );
    expect(await readFile(join(dest, 'version'), 'utf8')).toBe(VERSION_1_1);
  });
});
