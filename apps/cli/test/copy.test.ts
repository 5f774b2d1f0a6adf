// `skopeo-ts copy` between oci:, dir: and oci-archive:, with skopeo 1.9.3 reading the results:
// same digests, messages on stderr and nothing on stdout, --digestfile, -q, the dir: and oci:
// destination flags.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BuiltImage,
  type BuiltIndex,
  buildMultiArchIndex,
  buildOciImage,
  fixtures,
  makeTempDir,
  runSkopeo,
  skopeoInspect,
  type TempDir,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

interface Manifest {
  mediaType?: string;
  config: { digest: string };
  layers: Array<{ mediaType: string; digest: string }>;
}

let tmp: TempDir;
let layered: BuiltImage;
let multiArch: BuiltIndex;

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-cli-copy');
  layered = await buildOciImage(join(tmp.path, 'source'), fixtures.multiLayer(), { tag: 'v1' });
  multiArch = await buildMultiArchIndex(join(tmp.path, 'multi-arch'), fixtures.multiArch(), { tag: 'all' });
});

afterAll(async () => {
  await tmp.cleanup();
});

async function copy(args: string[]) {
  const result = await runCli(['copy', ...args], { cwd: tmp.path });
  expect(result.exitCode, result.stderr).toBe(0);
  return result;
}

describe('skopeo-ts copy', () => {
  it('oci: → oci-archive: writes what skopeo reads, messages on stderr only, digest in --digestfile', async () => {
    const archive = `oci-archive:${join(tmp.path, 'image.tar')}:copied`;
    const digestFile = join(tmp.path, 'archive.digest');
    const result = await copy(['--digestfile', digestFile, layered.reference, archive]);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('Getting image source signatures');
    expect(lines.filter((line) => line.startsWith('Copying blob sha256:'))).toHaveLength(
      layered.layers.length,
    );
    expect(lines).toContain(`Copying config ${layered.configDigest}`);
    expect(lines[lines.length - 1]).toBe('Writing manifest to image destination');
    const written = await skopeoInspect(archive, { raw: true });
    expect(await readFile(digestFile, 'utf8')).toBe(written.digest);
    // skopeo sees the same image: config, labels, layers' content (diff IDs).
    const config = await skopeoInspect(archive, { raw: true, config: true });
    expect(config.digest).toBe(layered.configDigest);
    const ours = await runCli(['inspect', '--raw', archive], { cwd: tmp.path });
    expect(ours.stdoutBytes.equals(written.bytes)).toBe(true);
  });

  it('-q prints nothing at all', async () => {
    const result = await copy(['-q', layered.reference, `oci:${join(tmp.path, 'quiet')}:q`]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
  });

  it('--preserve-digests keeps the manifest (no compression for oci:); skopeo copies it back unchanged', async () => {
    const target = `oci:${join(tmp.path, 'preserved')}:p`;
    const digestFile = join(tmp.path, 'preserved.digest');
    await copy(['--preserve-digests', '--digestfile', digestFile, layered.reference, target]);
    expect(await readFile(digestFile, 'utf8')).toBe(layered.manifestDigest);
    const back = join(tmp.path, 'back');
    expect(
      (await runSkopeo(['--insecure-policy', 'copy', '--preserve-digests', target, `oci:${back}:b`]))
        .exitCode,
    ).toBe(0);
    expect((await skopeoInspect(`oci:${back}:b`, { raw: true })).digest).toBe(layered.manifestDigest);
  });

  it('--all copies a multi-arch index unchanged; --multi-arch index-only copies the index alone', async () => {
    const target = `oci:${join(tmp.path, 'all')}:all`;
    const result = await copy(['--all', multiArch.reference, target]);
    expect(result.stderr).toContain(
      `Copying ${multiArch.images.length} images generated from ${multiArch.images.length} images in list`,
    );
    expect(result.stderr).toContain('Writing manifest list to image destination');
    const raw = await skopeoInspect(target, { raw: true });
    expect(raw.digest).toBe(multiArch.indexDigest);
    const both = await runCli(['copy', '--all', '--multi-arch', 'all', multiArch.reference, target], {
      cwd: tmp.path,
    });
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain('Cannot use --all and --multi-arch flags together');
  });

  it('without --all copies the image for the platform (or --override-arch)', async () => {
    const target = `oci:${join(tmp.path, 'arm64')}:one`;
    await copy(['--override-arch', 'arm64', '--override-variant', 'v8', multiArch.reference, target]);
    const arm64 = multiArch.images.find((image) => image.platform.architecture === 'arm64');
    const inspected = await skopeoInspect(target, { raw: true, config: true });
    expect(inspected.digest).toBe(arm64?.configDigest);
  });

  it('--dest-oci-accept-uncompressed-layers keeps an uncompressed layer as it is', async () => {
    const target = `oci:${join(tmp.path, 'uncompressed')}:u`;
    await copy(['--dest-oci-accept-uncompressed-layers', layered.reference, target]);
    expect((await skopeoInspect(target, { raw: true })).digest).toBe(layered.manifestDigest);
  });

  it('--dest-compress-level sets the gzip level of layers the copy compresses', async () => {
    const sizes: number[] = [];
    for (const level of ['1', '9']) {
      const target = `oci:${join(tmp.path, `level-${level}`)}:l`;
      await copy(['--dest-compress-level', level, layered.reference, target]);
      const manifest = (await skopeoInspect<{ layers: { size: number }[] }>(target, { raw: true })).json;
      sizes.push(manifest.layers.reduce((sum, layer) => sum + layer.size, 0));
    }
    expect(sizes[1]).toBeLessThan(sizes[0]!);
    const bad = await runCli([
      'copy',
      '--dest-compress-level',
      '12',
      layered.reference,
      `oci:${tmp.path}/bad:x`,
    ]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('invalid --dest-compress-level "12"');
  });

  it('--dest-shared-blob-dir puts blobs in the shared directory', async () => {
    const shared = join(tmp.path, 'shared-blobs');
    await copy([
      '--dest-shared-blob-dir',
      shared,
      layered.reference,
      `oci:${join(tmp.path, 'with-shared')}:s`,
    ]);
    const blobs = await readdir(join(shared, 'sha256'));
    expect(blobs).toContain(layered.configDigest.slice('sha256:'.length));
  });

  it('-f: oci: destinations refuse v2s2, unknown formats are refused', async () => {
    const target = `oci-archive:${join(tmp.path, 'v2s2-refused.tar')}:x`;
    // OCI destinations take only OCI manifests: the error says so.
    const refused = await runCli(['copy', '-f', 'v2s2', layered.reference, target], { cwd: tmp.path });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^skopeo-ts: error: /m);
    const bad = await runCli(['copy', '-f', 'v3', layered.reference, target], { cwd: tmp.path });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`unknown format "v3"`);
  });

  it('says clearly which skopeo flags are not supported yet', async () => {
    const result = await runCli(
      ['copy', '--sign-by', 'ABCD', layered.reference, `oci:${join(tmp.path, 's')}:s`],
      {
        cwd: tmp.path,
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('--sign-by is not supported by skopeo-ts yet');
  });

  it('oci: → dir: → oci-archive:, skopeo reads each result with the same digests', {
    timeout: 60_000,
  }, async () => {
    const dir = join(tmp.path, 'as-dir');
    const dirDigestFile = join(tmp.path, 'dir.digest');
    const first = await copy(['--digestfile', dirDigestFile, layered.reference, `dir:${dir}`]);
    expect(first.stdout).toBe('');
    // dir: keeps the manifest as it is.
    expect(await readFile(dirDigestFile, 'utf8')).toBe(layered.manifestDigest);
    expect((await skopeoInspect(`dir:${dir}`, { raw: true })).digest).toBe(layered.manifestDigest);
    const theirs = await skopeoInspect(`dir:${dir}`);
    const ours = JSON.parse((await runCli(['inspect', `dir:${dir}`], { cwd: tmp.path })).stdout) as Record<
      string,
      unknown
    >;
    for (const [field, value] of Object.entries(theirs.json)) expect(ours[field], field).toEqual(value);

    const archive = `oci-archive:${join(tmp.path, 'from-dir.tar')}:t`;
    const archiveDigestFile = join(tmp.path, 'from-dir.digest');
    await copy(['--digestfile', archiveDigestFile, `dir:${dir}`, archive]);
    const archived = await skopeoInspect(archive, { raw: true });
    expect(await readFile(archiveDigestFile, 'utf8')).toBe(archived.digest);
    expect((await skopeoInspect(archive, { raw: true, config: true })).digest).toBe(layered.configDigest);
    // skopeo copies it on, and reads what it wrote.
    const back = join(tmp.path, 'back-from-archive');
    expect((await runSkopeo(['--insecure-policy', 'copy', archive, `oci:${back}:b`])).exitCode).toBe(0);
    expect((await skopeoInspect(`oci:${back}:b`, { raw: true })).digest).toBe(archived.digest);
  });

  it('--dest-decompress, --dest-compress and -f v2s2 reach the dir: transport', {
    timeout: 60_000,
  }, async () => {
    const plain = join(tmp.path, 'decompressed');
    await copy(['--dest-decompress', layered.reference, `dir:${plain}`]);
    const decompressed = JSON.parse(await readFile(join(plain, 'manifest.json'), 'utf8')) as Manifest;
    expect(decompressed.layers.every((layer) => !layer.mediaType.endsWith('+gzip'))).toBe(true);
    const packed = join(tmp.path, 'compressed');
    await copy(['--dest-compress', layered.reference, `dir:${packed}`]);
    const compressed = JSON.parse(await readFile(join(packed, 'manifest.json'), 'utf8')) as Manifest;
    expect(compressed.layers.every((layer) => layer.mediaType.endsWith('+gzip'))).toBe(true);
    const docker = join(tmp.path, 'as-v2s2');
    await copy(['-f', 'v2s2', layered.reference, `dir:${docker}`]);
    const converted = JSON.parse(await readFile(join(docker, 'manifest.json'), 'utf8')) as Manifest;
    expect(converted.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect((await skopeoInspect(`dir:${docker}`, { raw: true, config: true })).digest).toBe(
      layered.configDigest,
    );
    const warned = await copy(['--dest-compress', layered.reference, `oci:${join(tmp.path, 'w')}:w`]);
    expect(warned.stderr).toContain("--dest-compress can only be used if the destination transport is 'dir'");
  });
});
