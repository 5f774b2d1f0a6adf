// Differential tests against Debian's skopeo 1.9.3: what skopeo writes to dir: we read, what we
// write skopeo reads, and both write the same files. skopeo also turns the testkit's OCI fixtures
// into dir: inputs, so these tests need no oci: transport of ours.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage, type Digest, DigestingStream, parseManifest } from '@skopeo-ts/core';
import {
  type BuiltManifest,
  runSkopeo,
  type SkopeoInspectOutput,
  skopeoCopy,
  skopeoInspect,
  verifyOciLayout,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirReference } from '../src/index.js';
import { buildFixtures, type Fixtures, snapshotDir } from './helpers.js';

let f: Fixtures;
let n = 0;
const fresh = (name: string) => join(f.tmp.path, `${name}-${++n}`);

beforeAll(async () => {
  f = await buildFixtures();
});
afterAll(() => f.tmp.cleanup());

function ociRef(layoutDir: string): string {
  return `oci:${layoutDir}:latest`;
}

/** Reads every blob the manifest names through our source, verifying digest and size. */
async function readAllBlobsVerified(dir: string, manifestBytes: Uint8Array): Promise<number> {
  const source = await parseDirReference(dir).newSource({});
  const parsed = parseManifest(manifestBytes);
  if (parsed.kind !== 'oci-manifest' && parsed.kind !== 'docker-v2s2')
    throw new Error(`unexpected ${parsed.kind}`);
  const blobs = [parsed.manifest.config, ...parsed.manifest.layers];
  for (const blob of blobs) {
    const { stream, size } = await source.getBlob({ digest: blob.digest as Digest, size: blob.size });
    expect(size).toBe(blob.size);
    const verifier = new DigestingStream({
      digest: blob.digest as Digest,
      size: blob.size,
      what: blob.digest,
    });
    for await (const _ of stream.pipe(verifier)) {
      // draining: the verifier fails the stream on a mismatch
    }
  }
  await source.close();
  return blobs.length;
}

describe.each([
  ['single', () => f.single],
  ['multi-layer', () => f.multiLayer],
] as const)('the %s fixture with skopeo 1.9.3', (name, image: () => BuiltManifest) => {
  it('skopeo writes dir:, we read and copy it, skopeo reads our copy, and the files are the same', async () => {
    const fixture = image();
    const layout = join(f.tmp.path, name);
    const skopeoDir = fresh('skopeo-wrote');
    await skopeoCopy(ociRef(layout), `dir:${skopeoDir}`);

    // skopeo → us: every blob reads back with its digest.
    const manifest = await readFile(join(skopeoDir, 'manifest.json'));
    expect(await readAllBlobsVerified(skopeoDir, manifest)).toBe(fixture.layers.length + 1);

    // us → skopeo.
    const ours = fresh('we-wrote');
    const result = await copyImage(parseDirReference(skopeoDir), parseDirReference(ours));
    expect(result.digest).toBe(fixture.manifestDigest);
    expect(await snapshotDir(ours)).toEqual(await snapshotDir(skopeoDir));

    const raw = await skopeoInspect(`dir:${ours}`, { raw: true });
    expect(raw.digest).toBe(fixture.manifestDigest);
    expect(raw.bytes).toEqual(manifest);
    const inspected = await skopeoInspect<SkopeoInspectOutput>(`dir:${ours}`);
    expect(inspected.json.Layers).toEqual(fixture.layerDigests);
    expect(inspected.json.Digest).toBe(fixture.manifestDigest);

    // oci: would gzip the multi-layer fixture's uncompressed layer unless told to keep digests.
    const out = fresh('oci-out');
    await skopeoCopy(`dir:${ours}`, ociRef(out), ['--preserve-digests']);
    expect((await skopeoInspect(ociRef(out), { raw: true })).digest).toBe(fixture.manifestDigest);
    const verified = await verifyOciLayout(out);
    expect(verified.manifests.map((m) => m.layers.map((l) => l.digest))).toEqual([fixture.layerDigests]);
  });
});

describe('a multi-arch index with skopeo 1.9.3', () => {
  it('skopeo copy --all writes dir:, we copy every instance, skopeo reads every instance of ours', async () => {
    const index = f.multiArch;
    const skopeoDir = fresh('skopeo-all');
    await skopeoCopy(index.reference, `dir:${skopeoDir}`, ['--all']);
    for (const image of index.images) {
      const hex = image.manifestDigest.slice('sha256:'.length);
      const bytes = await readFile(join(skopeoDir, `${hex}.manifest.json`));
      await readAllBlobsVerified(skopeoDir, bytes);
    }

    const ours = fresh('we-wrote-all');
    const result = await copyImage(parseDirReference(skopeoDir), parseDirReference(ours), {
      multiArch: 'all',
    });
    expect(result.digest).toBe(index.indexDigest);
    expect(await snapshotDir(ours)).toEqual(await snapshotDir(skopeoDir));
    expect((await skopeoInspect(`dir:${ours}`, { raw: true })).digest).toBe(index.indexDigest);

    // Every instance, through skopeo's own platform choice.
    for (const image of index.images) {
      const { architecture, variant } = image.platform;
      const args = ['--override-os', 'linux', '--override-arch', architecture];
      if (variant !== undefined) args.push('--override-variant', variant);
      const inspected = await skopeoInspect<SkopeoInspectOutput>(`dir:${ours}`, { extraArgs: args });
      expect(inspected.json.Architecture).toBe(architecture);
      expect(inspected.json.Layers).toEqual(image.layerDigests);
    }

    const out = fresh('oci-all');
    await skopeoCopy(`dir:${ours}`, ociRef(out), ['--all', '--preserve-digests']);
    const verified = await verifyOciLayout(out);
    expect(verified.indexes).toEqual([index.indexDigest]);
    expect(verified.manifests.map((m) => m.digest).sort()).toEqual(
      index.images.map((image) => image.manifestDigest).sort(),
    );
  });

  it('copies the instance for one platform as skopeo does', async () => {
    const index = f.multiArch;
    const skopeoDir = fresh('skopeo-all');
    await skopeoCopy(index.reference, `dir:${skopeoDir}`, ['--all']);
    const skopeoOne = fresh('skopeo-one');
    await skopeoCopy(`dir:${skopeoDir}`, `dir:${skopeoOne}`, [
      '--override-arch',
      'arm',
      '--override-variant',
      'v7',
    ]);
    const ours = fresh('we-wrote-one');
    await copyImage(parseDirReference(skopeoDir), parseDirReference(ours), {
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    expect(await snapshotDir(ours)).toEqual(await snapshotDir(skopeoOne));
  });
});

describe('dir: behaviours shared with skopeo 1.9.3', () => {
  it('signatures we write are read and copied by skopeo byte for byte', async () => {
    const skopeoDir = fresh('skopeo-wrote');
    await skopeoCopy(ociRef(join(f.tmp.path, 'single')), `dir:${skopeoDir}`);
    const simple = Buffer.from([0xa3, 0x01, 0x02, 0x03, 0x04]);
    const sigstore = Buffer.from(
      '\0sigstore-json\n{"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json","payload":"e30=","annotations":{"dev.cosignproject.cosign/signature":"MEUC"}}',
    );
    await writeFile(join(skopeoDir, 'signature-1'), simple);
    await writeFile(join(skopeoDir, 'signature-2'), sigstore);
    const ours = fresh('signed');
    await copyImage(parseDirReference(skopeoDir), parseDirReference(ours));
    const copied = fresh('skopeo-copied');
    await skopeoCopy(`dir:${ours}`, `dir:${copied}`);
    expect(await readFile(join(copied, 'signature-1'))).toEqual(simple);
    expect(await readFile(join(copied, 'signature-2'))).toEqual(sigstore);
  });

  it('both refuse to overwrite a directory that is not an image directory', async () => {
    const precious = fresh('precious');
    await mkdir(precious);
    await writeFile(join(precious, 'notes.txt'), 'keep me');
    const skopeo = await runSkopeo(['copy', ociRef(join(f.tmp.path, 'single')), `dir:${precious}`]);
    expect(skopeo.exitCode).not.toBe(0);
    expect(skopeo.stderr).toMatch(/not a containers image directory/);
    const source = fresh('src');
    await skopeoCopy(ociRef(join(f.tmp.path, 'single')), `dir:${source}`);
    await expect(copyImage(parseDirReference(source), parseDirReference(precious))).rejects.toThrow(
      /not a container image directory/,
    );
    expect(await readdir(precious)).toEqual(['notes.txt']);
  });

  it('we overwrite an image directory skopeo wrote, as skopeo does', async () => {
    const target = fresh('target');
    await skopeoCopy(ociRef(join(f.tmp.path, 'multi-layer')), `dir:${target}`);
    const source = fresh('src');
    await skopeoCopy(ociRef(join(f.tmp.path, 'single')), `dir:${source}`);
    await copyImage(parseDirReference(source), parseDirReference(target));
    expect(await snapshotDir(target)).toEqual(await snapshotDir(source));
    expect((await skopeoInspect(`dir:${target}`, { raw: true })).digest).toBe(f.single.manifestDigest);
  });

  it('--dest-compress: our transportOptions.dir.compress writes what skopeo writes', async () => {
    const skopeoDir = fresh('skopeo-compressed');
    await skopeoCopy(ociRef(join(f.tmp.path, 'multi-layer')), `dir:${skopeoDir}`, ['--dest-compress']);
    const source = fresh('src');
    await skopeoCopy(ociRef(join(f.tmp.path, 'multi-layer')), `dir:${source}`);
    const ours = fresh('we-compressed');
    await copyImage(parseDirReference(source), parseDirReference(ours), {
      destinationContext: { transportOptions: { dir: { compress: true } } },
    });
    // gzip output differs between Go and zlib: compare what the manifests say, and read it back.
    const theirs = parseManifest(await readFile(join(skopeoDir, 'manifest.json')));
    const mine = parseManifest(await readFile(join(ours, 'manifest.json')));
    if (theirs.kind !== 'oci-manifest' || mine.kind !== 'oci-manifest')
      throw new Error('expected OCI manifests');
    expect(mine.manifest.layers.map((l) => l.mediaType)).toEqual(
      theirs.manifest.layers.map((l) => l.mediaType),
    );
    expect(mine.manifest.config).toEqual(theirs.manifest.config);
    const inspected = await skopeoInspect<SkopeoInspectOutput>(`dir:${ours}`);
    expect(inspected.json.Layers).toEqual(mine.manifest.layers.map((l) => l.digest));
    const out = fresh('oci-compressed');
    await skopeoCopy(`dir:${ours}`, ociRef(out));
    await verifyOciLayout(out); // checks every layer's DiffID against the config
  });

  it('--dest-decompress: our transportOptions.dir.decompress writes what skopeo writes', async () => {
    const skopeoDir = fresh('skopeo-decompressed');
    await skopeoCopy(ociRef(join(f.tmp.path, 'multi-layer')), `dir:${skopeoDir}`, ['--dest-decompress']);
    const source = fresh('src');
    await skopeoCopy(ociRef(join(f.tmp.path, 'multi-layer')), `dir:${source}`);
    const ours = fresh('we-decompressed');
    await copyImage(parseDirReference(source), parseDirReference(ours), {
      destinationContext: { transportOptions: { dir: { decompress: true } } },
    });
    expect(await snapshotDir(ours)).toEqual(await snapshotDir(skopeoDir));
  });
});
