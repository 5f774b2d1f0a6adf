import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { blobPath, buildOciImage, fixtures, writeBlob, writeOciLayout } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { expectSkopeoError, oci, ociArchive, readIndexJson, refNames, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('bad input', () => {
  it('a corrupted layer fails with DIGEST_MISMATCH and commits nothing', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.multiLayer());
    const layer = src.layerDigests[2] as string;
    // Same size, one byte changed in the middle.
    const handle = await open(blobPath(src.layoutDir, layer), 'r+');
    const { size } = await handle.stat();
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, Math.floor(size / 2));
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await handle.write(byte, 0, 1, Math.floor(size / 2));
    await handle.close();

    const dest = join(dir, 'dest');
    await buildOciImage(dest, fixtures.single(), { tag: 'existing' });
    const before = await readFile(join(dest, 'index.json'));
    const error = await expectSkopeoError(
      copyImage(oci(`${src.layoutDir}:latest`), oci(`${dest}:new`)),
      'DIGEST_MISMATCH',
    );
    expect(error.message).toContain(layer);
    expect(await readFile(join(dest, 'index.json'))).toEqual(before);
    // The corrupted content was never published under the digest, and no temp file is left.
    await expect(stat(blobPath(dest, layer))).rejects.toThrow();
    expect((await readdir(dest)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('a manifest over 4 MiB is refused before it is read', async () => {
    const dir = await tempDir();
    const huge = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        pad: 'x'.repeat(5 * 1024 * 1024),
      }),
    );
    const blob = await writeBlob(dir, huge);
    await writeOciLayout(dir, [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: blob.digest,
        size: blob.size,
        annotations: { 'org.opencontainers.image.ref.name': 'huge' },
      },
    ]);
    const source = await oci(`${dir}:huge`).newSource({});
    const error = await expectSkopeoError(source.getManifest(), 'MANIFEST_TOO_LARGE');
    expect(error.message).toContain(blobPath(dir, blob.digest));
    expect(error.message).toContain('over the limit of 4194304 bytes');
    await source.close();
  });

  it('invalid JSON in index.json is a clear error naming the file, for sources and destinations', async () => {
    const dir = await tempDir();
    await buildOciImage(dir, fixtures.single());
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[');
    let error = await expectSkopeoError(oci(`${dir}:latest`).newSource({}), 'INVALID_MANIFEST');
    expect(error.message).toContain(`${join(dir, 'index.json')} is not a valid OCI image index`);
    error = await expectSkopeoError(oci(`${dir}:other`).newDestination({}), 'INVALID_MANIFEST');
    expect(error.message).toContain(join(dir, 'index.json'));
    // A well-formed JSON that is not an index.
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[{"digest":"sha256:nope"}]}');
    error = await expectSkopeoError(oci(`${dir}:latest`).newSource({}), 'INVALID_MANIFEST');
    expect(error.message).toContain('index.json');
  });

  it('index.json naming a missing blob is a clear CORRUPT error', async () => {
    const dir = await tempDir();
    const image = await buildOciImage(dir, fixtures.single(), { tag: 'gone' });
    await rm(blobPath(dir, image.manifestDigest));
    const source = await oci(`${dir}:gone`).newSource({});
    const error = await expectSkopeoError(source.getManifest(), 'CORRUPT');
    expect(error.message).toContain(`oci:${dir}:gone`);
    expect(error.message).toContain(`entry "gone" is blob ${image.manifestDigest}, which is missing`);
    await source.close();
    // A missing layer: the copy fails naming the blob, nothing is committed.
    const other = join(await tempDir(), 'l');
    const second = await buildOciImage(other, fixtures.single(), { tag: 'x' });
    await rm(blobPath(other, second.layerDigests[0] as string));
    const dest = join(dir, 'dest');
    const copyError = await expectSkopeoError(copyImage(oci(`${other}:x`), oci(`${dest}:x`)), 'CORRUPT');
    expect(copyError.message).toContain(`blob ${second.layerDigests[0]} is missing`);
    await expect(stat(join(dest, 'index.json'))).rejects.toThrow();
  });

  it('a manifest blob that does not match its digest is refused', async () => {
    const dir = await tempDir();
    const image = await buildOciImage(dir, fixtures.single(), { tag: 't' });
    await writeFile(blobPath(dir, image.manifestDigest), Buffer.from(`${image.manifestBytes.toString()} `));
    const source = await oci(`${dir}:t`).newSource({});
    await expectSkopeoError(source.getManifest(), 'DIGEST_MISMATCH');
    await source.close();
  });

  it('a disk error names the path it happened at', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    // blobs/sha256 is a file: storing the first blob fails with ENOTDIR.
    const dest = join(dir, 'dest');
    await mkdir(join(dest, 'blobs'), { recursive: true });
    await writeFile(join(dest, 'blobs', 'sha256'), 'not a directory');
    const error = await expectSkopeoError(copyImage(oci(`${src.layoutDir}:latest`), oci(`${dest}:x`)), 'IO');
    expect(error.message).toContain(join(dest, 'blobs', 'sha256'));
    expect(error.message).toMatch(/ENOTDIR|EEXIST/);
    // A full disk (the kernel's /dev/full) while writing an archive.
    const full = await expectSkopeoError(
      copyImage(oci(`${src.layoutDir}:latest`), ociArchive('/dev/full:x')),
      'IO',
    );
    expect(full.message).toContain('/dev/full');
    expect(full.message).toContain('ENOSPC');
    // The failed copies left the source untouched and the destination without an entry.
    expect(refNames(await readIndexJson(src.layoutDir))).toEqual(['latest']);
    await expect(stat(join(dest, 'index.json'))).rejects.toThrow();
  });
});
