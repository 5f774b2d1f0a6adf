// Reading dir: images: manifests, blobs, signatures, and the errors for what is missing or broken.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Digest, isSkopeoError } from '@skopeo-ts/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirReference } from '../src/index.js';
import {
  buildFixtures,
  caught,
  type Fixtures,
  readAll,
  sha256,
  writeDirImage,
  writeDirIndex,
} from './helpers.js';

let f: Fixtures;
let n = 0;
const fresh = (name: string) => join(f.tmp.path, `${name}-${++n}`);

beforeAll(async () => {
  f = await buildFixtures();
});
afterAll(() => f.tmp.cleanup());

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

describe('a dir: source', () => {
  it('reads the manifest with its guessed type, and streams blobs with their size', async () => {
    const dir = fresh('image');
    await writeDirImage(dir, f.multiLayer);
    const source = await parseDirReference(dir).newSource({});
    expect(source.threadSafe).toBe(true);
    expect(source.layerInfosForCopy).toBeUndefined();
    const manifest = await source.getManifest();
    expect(Buffer.from(manifest.bytes)).toEqual(f.multiLayer.manifestBytes);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    for (const [i, digest] of f.multiLayer.layerDigests.entries()) {
      const blob = await source.getBlob({ digest: digest as Digest, size: -1 });
      expect(blob.size).toBe(f.multiLayer.layers[i]!.size);
      expect(sha256(await readAll(blob.stream))).toBe(digest);
    }
    expect(await source.getSignatures()).toEqual([]);
    await source.close();
  });

  it('reads list instances and their signatures', async () => {
    const dir = fresh('list');
    await writeDirIndex(dir, f.multiArch);
    const instance = f.multiArch.images[2]!;
    await writeFile(join(dir, `${hex(instance.manifestDigest)}.signature-1`), Buffer.from([0x89, 1]));
    await writeFile(join(dir, `${hex(instance.manifestDigest)}.signature-2`), Buffer.from([0x89, 2]));
    const source = await parseDirReference(dir).newSource({});
    expect((await source.getManifest()).mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const got = await source.getManifest(instance.manifestDigest as Digest);
    expect(Buffer.from(got.bytes)).toEqual(instance.manifestBytes);
    expect(await source.getSignatures(instance.manifestDigest as Digest)).toEqual([
      { kind: 'simple-signing', bytes: Buffer.from([0x89, 1]) },
      { kind: 'simple-signing', bytes: Buffer.from([0x89, 2]) },
    ]);
    expect(await source.getSignatures()).toEqual([]);
  });

  it('reports a signature file it cannot read as CORRUPT, naming it', async () => {
    const dir = fresh('bad-signature');
    await writeDirImage(dir, f.single);
    await writeFile(join(dir, 'signature-1'), 'not a signature');
    const source = await parseDirReference(dir).newSource({});
    const error = await caught(() => source.getSignatures());
    expect(isSkopeoError(error, 'CORRUPT')).toBe(true);
    expect(error.message).toContain(join(dir, 'signature-1'));
  });

  it('opens a blob file only when its stream is read: a dropped stream holds nothing open', async () => {
    const dir = fresh('lazy');
    await writeDirImage(dir, f.single);
    const digest = f.single.layerDigests[0] as Digest;
    const source = await parseDirReference(dir).newSource({});
    const dropped = await source.getBlob({ digest, size: -1 });
    dropped.stream.destroy();
    await new Promise((resolve) => dropped.stream.once('close', resolve));

    // Removed between getBlob and the first read: the stream fails, naming the file.
    const late = await source.getBlob({ digest, size: -1 });
    await rm(join(dir, hex(digest)));
    const error = await caught(() => readAll(late.stream));
    expect(isSkopeoError(error, 'IO')).toBe(true);
    expect(error.message).toContain(join(dir, hex(digest)));
  });

  it('says NOT_FOUND, naming the path, for a missing directory, manifest or instance', async () => {
    const missing = fresh('missing');
    const noDir = await caught(async () => (await parseDirReference(missing).newSource({})).getManifest());
    expect(isSkopeoError(noDir, 'NOT_FOUND')).toBe(true);
    expect(noDir.message).toBe(`no image at dir:${missing}: ${missing} does not exist`);

    const empty = fresh('empty');
    await mkdir(empty);
    const noManifest = await caught(async () => (await parseDirReference(empty).newSource({})).getManifest());
    expect(isSkopeoError(noManifest, 'NOT_FOUND')).toBe(true);
    expect(noManifest.message).toContain(`${empty} has no manifest.json`);

    const file = fresh('file');
    await writeFile(file, 'x');
    const notDir = await caught(async () => (await parseDirReference(file).newSource({})).getManifest());
    expect(isSkopeoError(notDir, 'NOT_FOUND')).toBe(true);
    expect(notDir.message).toContain(`${file} is not a directory`);

    const dir = fresh('image');
    await writeDirImage(dir, f.single);
    const instance = `sha256:${'a'.repeat(64)}` as Digest;
    const noInstance = await caught(async () =>
      (await parseDirReference(dir).newSource({})).getManifest(instance),
    );
    expect(isSkopeoError(noInstance, 'NOT_FOUND')).toBe(true);
    expect(noInstance.message).toContain(join(dir, `${'a'.repeat(64)}.manifest.json`));
  });

  it('reports a missing or unreadable blob as an IO error carrying the path', async () => {
    const dir = fresh('broken');
    await writeDirImage(dir, f.single);
    const layer = f.single.layerDigests[0] as Digest;
    await rm(join(dir, hex(layer)));
    const source = await parseDirReference(dir).newSource({});
    const missing = await caught(() => source.getBlob({ digest: layer, size: -1 }));
    expect(isSkopeoError(missing, 'IO')).toBe(true);
    expect(missing.path).toBe(join(dir, hex(layer)));

    await mkdir(join(dir, hex(layer)));
    const directory = await caught(() => source.getBlob({ digest: layer, size: -1 }));
    expect(isSkopeoError(directory, 'IO')).toBe(true);
    expect(directory.message).toContain(join(dir, hex(layer)));
    expect(directory.message).toMatch(/not a regular file/);
  });

  it('refuses digests that could name a path outside the directory', async () => {
    const source = await parseDirReference(fresh('any')).newSource({});
    const error = await caught(() =>
      source.getBlob({ digest: 'sha256:../../etc/passwd' as Digest, size: -1 }),
    );
    expect(isSkopeoError(error, 'INVALID_DIGEST')).toBe(true);
  });

  it('refuses a layout version it does not know, and accepts a missing version file', async () => {
    const dir = fresh('versions');
    await writeDirImage(dir, f.single);
    await writeFile(join(dir, 'version'), 'Directory Transport Version: 2.0\n');
    const newer = await caught(() => parseDirReference(dir).newSource({}));
    expect(isSkopeoError(newer, 'UNSUPPORTED')).toBe(true);
    await writeFile(join(dir, 'version'), 'garbage');
    const invalid = await caught(() => parseDirReference(dir).newSource({}));
    expect(invalid.message).toContain(join(dir, 'version'));
    await rm(join(dir, 'version'));
    const source = await parseDirReference(dir).newSource({});
    expect(Buffer.from((await source.getManifest()).bytes)).toEqual(f.single.manifestBytes);
  });

  it('refuses a manifest over 4 MiB', async () => {
    const dir = fresh('huge');
    await writeDirImage(dir, f.single);
    await writeFile(join(dir, 'manifest.json'), Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
    const source = await parseDirReference(dir).newSource({});
    const error = await caught(() => source.getManifest());
    expect(isSkopeoError(error, 'MANIFEST_TOO_LARGE')).toBe(true);
  });
});
