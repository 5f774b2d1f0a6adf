// copyImage between dir: directories: the layout written, lists, signatures, layer compression.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { copyImage, isSkopeoError, parseManifest } from '@skopeo-ts/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirReference } from '../src/index.js';
import {
  buildFixtures,
  caught,
  type Fixtures,
  sha256,
  snapshotDir,
  VERSION_1_1,
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
  return digest.slice('sha256:'.length);
}

describe('copying into dir:', () => {
  it('writes version, manifest.json and blobs named by hex digest, and nothing else', async () => {
    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    const dest = fresh('dest');
    const result = await copyImage(parseDirReference(src), parseDirReference(dest));

    expect(result.digest).toBe(f.multiLayer.manifestDigest);
    expect(await readFile(join(dest, 'version'), 'utf8')).toBe(VERSION_1_1);
    expect(await readFile(join(dest, 'manifest.json'))).toEqual(f.multiLayer.manifestBytes);
    const expected = [
      'manifest.json',
      'version',
      hex(f.multiLayer.configDigest),
      ...f.multiLayer.layerDigests.map(hex),
    ];
    expect((await readdir(dest)).sort()).toEqual(expected.sort());
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(src));
  });

  it('copies a whole list with instances as <hex>.manifest.json (multiArch all)', async () => {
    const src = fresh('list-src');
    await writeDirIndex(src, f.multiArch);
    const dest = fresh('list-dest');
    const result = await copyImage(parseDirReference(src), parseDirReference(dest), { multiArch: 'all' });
    expect(result.digest).toBe(f.multiArch.indexDigest);
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(src));
    for (const image of f.multiArch.images) {
      expect(await readFile(join(dest, `${hex(image.manifestDigest)}.manifest.json`))).toEqual(
        image.manifestBytes,
      );
    }
  });

  it('copies one instance of a list as a single image (multiArch system)', async () => {
    const src = fresh('list-src');
    await writeDirIndex(src, f.multiArch);
    const dest = fresh('one-dest');
    const arm64 = f.multiArch.images[1]!;
    await copyImage(parseDirReference(src), parseDirReference(dest), {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(await readFile(join(dest, 'manifest.json'))).toEqual(arm64.manifestBytes);
    expect((await readdir(dest)).filter((name) => name.endsWith('.manifest.json'))).toEqual([]);
  });

  it('copies signatures of the image and of list instances byte for byte', async () => {
    const src = fresh('signed-src');
    await writeDirIndex(src, f.multiArch);
    const simple = Buffer.from([0x89, 1, 2, 3]);
    const sigstore = Buffer.from(
      '\0sigstore-json\n{"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json","payload":"e30=","annotations":{"a":"b"}}',
    );
    await writeFile(join(src, 'signature-1'), simple);
    await writeFile(join(src, 'signature-2'), sigstore);
    const instance = hex(f.multiArch.images[0]!.manifestDigest);
    await writeFile(join(src, `${instance}.signature-1`), simple);
    const dest = fresh('signed-dest');
    await copyImage(parseDirReference(src), parseDirReference(dest), { multiArch: 'all' });
    expect(await snapshotDir(dest)).toEqual(await snapshotDir(src));
  });

  it('decompresses layers when transportOptions.dir.decompress is set (--dest-decompress)', async () => {
    const src = fresh('src');
    await writeDirImage(src, f.single);
    const dest = fresh('decompressed');
    await copyImage(parseDirReference(src), parseDirReference(dest), {
      destinationContext: { transportOptions: { dir: { decompress: true } } },
    });
    const parsed = parseManifest(await readFile(join(dest, 'manifest.json')));
    if (parsed.kind !== 'oci-manifest') throw new Error(`unexpected ${parsed.kind}`);
    const layer = parsed.manifest.layers[0]!;
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(layer.digest).toBe(f.single.diffIds[0]);
    const stored = await readFile(join(dest, hex(layer.digest)));
    expect(sha256(stored)).toBe(f.single.diffIds[0]);
  });

  it('compresses uncompressed layers when transportOptions.dir.compress is set (--dest-compress)', async () => {
    const src = fresh('src');
    await writeDirImage(src, f.multiLayer);
    const dest = fresh('compressed');
    await copyImage(parseDirReference(src), parseDirReference(dest), {
      destinationContext: { transportOptions: { dir: { compress: true } } },
    });
    const parsed = parseManifest(await readFile(join(dest, 'manifest.json')));
    if (parsed.kind !== 'oci-manifest') throw new Error(`unexpected ${parsed.kind}`);
    // The fixture's second layer is stored uncompressed on purpose.
    const layer = parsed.manifest.layers[1]!;
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    const stored = await readFile(join(dest, hex(layer.digest)));
    expect(sha256(stored)).toBe(layer.digest);
    expect(sha256(gunzipSync(stored))).toBe(f.multiLayer.diffIds[1]);
  });

  it('refuses compress and decompress together, and non-boolean options', async () => {
    const dest = parseDirReference(fresh('never'));
    const both = await caught(() =>
      dest.newDestination({ transportOptions: { dir: { compress: true, decompress: true } } }),
    );
    expect(isSkopeoError(both, 'INVALID_ARGUMENT')).toBe(true);
    expect(both.message).toMatch(/compress and decompress/);
    const wrong = await caught(() => dest.newDestination({ transportOptions: { dir: { compress: 'yes' } } }));
    expect(isSkopeoError(wrong, 'INVALID_ARGUMENT')).toBe(true);
    expect(wrong.message).toMatch(/transportOptions\.dir\.compress must be true or false/);
  });
});
