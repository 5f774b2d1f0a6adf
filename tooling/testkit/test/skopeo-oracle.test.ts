// skopeo 1.9.3 is the oracle: it must read every fixture, push it to a real registry and get
// back exactly the digests the fixture builder reported.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltImage,
  type BuiltIndex,
  buildMultiArchIndex,
  buildOciImage,
  createSkopeoEnvironment,
  fixtures,
  makeTempDir,
  OCI_INDEX,
  type OciConfig,
  type OciIndex,
  type RunningRegistry,
  runSkopeo,
  SkopeoError,
  sha256Digest,
  skopeoCopy,
  skopeoInspect,
  startRegistry,
  type TempDir,
  verifyOciLayout,
} from '../src/index.js';

const INSECURE_DEST = ['--dest-tls-verify=false'];
const INSECURE = ['--tls-verify=false'];

let tmp: TempDir;
let registry: RunningRegistry;
let single: BuiltImage;
let multiLayer: BuiltImage;
let multiArch: BuiltIndex;

beforeAll(async () => {
  tmp = await makeTempDir('testkit-skopeo');
  registry = await startRegistry();
  single = await buildOciImage(join(tmp.path, 'single'), fixtures.single(), { tag: 'v1' });
  multiLayer = await buildOciImage(join(tmp.path, 'multi-layer'), fixtures.multiLayer(), { tag: 'v2' });
  multiArch = await buildMultiArchIndex(join(tmp.path, 'multi-arch'), fixtures.multiArch(), { tag: 'v3' });
});

afterAll(async () => {
  await registry?.stop();
  await tmp?.cleanup();
});

const hexOf = (digest: string) => digest.slice('sha256:'.length);

describe('skopeo reads the fixtures from the OCI layout', () => {
  it.each([
    ['single', () => single],
    ['multi-layer', () => multiLayer],
  ])('copies %s to dir: with every blob intact', async (name, image) => {
    const built = image();
    const dir = join(tmp.path, `dir-${name}`);
    const result = await skopeoCopy(built.reference, `dir:${dir}`);
    expect(result.stdout).toContain('Writing manifest to image destination');
    // An OCI source copied to dir: keeps its manifest byte for byte.
    expect((await readFile(join(dir, 'manifest.json'))).equals(built.manifestBytes)).toBe(true);
    for (const digest of [built.configDigest, ...built.layerDigests]) {
      expect(sha256Digest(await readFile(join(dir, hexOf(digest))))).toBe(digest);
    }
  });

  it('inspects the fixtures as the builder describes them', async () => {
    const inspected = await skopeoInspect(multiLayer.reference);
    expect(inspected.json).toMatchObject({
      Digest: multiLayer.manifestDigest,
      Created: '2024-01-01T00:00:00Z',
      Architecture: 'amd64',
      Os: 'linux',
      Layers: multiLayer.layerDigests,
      Labels: multiLayer.config.config.Labels,
      Env: multiLayer.config.config.Env,
    });
    const raw = await skopeoInspect(multiLayer.reference, { raw: true });
    expect(raw.digest).toBe(multiLayer.manifestDigest);
    expect(raw.bytes.equals(multiLayer.manifestBytes)).toBe(true);
    const config = await skopeoInspect<OciConfig>(multiLayer.reference, { raw: true, config: true });
    expect(config.digest).toBe(multiLayer.configDigest);
    expect(config.json.rootfs.diff_ids).toEqual(multiLayer.diffIds);
  });

  it('copies the multi-arch index with --all, keeping the index and every instance', async () => {
    const dir = join(tmp.path, 'dir-multi-arch');
    const result = await skopeoCopy(multiArch.reference, `dir:${dir}`, ['--all']);
    expect(result.stdout).toContain('Copying 3 of 3 images in list');
    expect((await readFile(join(dir, 'manifest.json'))).equals(multiArch.indexBytes)).toBe(true);
    for (const image of multiArch.images) {
      const instance = await readFile(join(dir, `${hexOf(image.manifestDigest)}.manifest.json`));
      expect(instance.equals(image.manifestBytes)).toBe(true);
      for (const digest of [image.configDigest, ...image.layerDigests]) {
        expect(sha256Digest(await readFile(join(dir, hexOf(digest))))).toBe(digest);
      }
    }
  });

  it('writes --all into oci: the same nested index as the builder', async () => {
    const layout = join(tmp.path, 'oci-multi-arch-copy');
    await skopeoCopy(multiArch.reference, `oci:${layout}:copied`, ['--all']);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as OciIndex;
    expect(index.manifests).toEqual([
      {
        mediaType: OCI_INDEX,
        digest: multiArch.indexDigest,
        size: multiArch.indexSize,
        annotations: { 'org.opencontainers.image.ref.name': 'copied' },
      },
    ]);
    const verified = await verifyOciLayout(layout);
    expect(verified.manifests.map((m) => m.digest)).toEqual(multiArch.images.map((i) => i.manifestDigest));
  });

  it('picks one platform without --all', async () => {
    const raw = await skopeoInspect(multiArch.reference, { raw: true });
    expect(raw.digest).toBe(multiArch.indexDigest);
    const chosen = await runSkopeo(['--override-arch', 'arm64', 'inspect', multiArch.reference]);
    expect(chosen.exitCode).toBe(0);
    const arm64 = multiArch.images[1];
    // skopeo 1.9.3 reports the digest of the list it was given, and the chosen instance's details.
    expect(JSON.parse(chosen.stdout)).toMatchObject({
      Digest: multiArch.indexDigest,
      Architecture: 'arm64',
      Layers: arm64?.layerDigests,
    });
  });
});

describe('skopeo against the real registry', () => {
  it('pushes images with --preserve-digests and reads back the same digests', async () => {
    for (const [repo, image] of [
      ['single', single],
      ['multi-layer', multiLayer],
    ] as const) {
      const ref = `docker://${registry.host}/testkit/${repo}:${image.tag}`;
      await skopeoCopy(image.reference, ref, ['--preserve-digests', ...INSECURE_DEST]);
      const raw = await skopeoInspect(ref, { raw: true, extraArgs: INSECURE });
      expect(raw.digest).toBe(image.manifestDigest);
      const info = await skopeoInspect(ref, { extraArgs: INSECURE });
      expect(info.json.Digest).toBe(image.manifestDigest);
      expect(info.json.Layers).toEqual(image.layerDigests);
      expect(info.json.RepoTags).toEqual([image.tag]);
      const config = await skopeoInspect(ref, { raw: true, config: true, extraArgs: INSECURE });
      expect(config.digest).toBe(image.configDigest);
    }
    // The blobs really are in this registry's storage root.
    const blobRoot = join(registry.rootDir, 'docker', 'registry', 'v2', 'blobs', 'sha256');
    const prefixes = await readdir(blobRoot);
    for (const digest of multiLayer.layerDigests) expect(prefixes).toContain(hexOf(digest).slice(0, 2));
  });

  it('without --preserve-digests, gzips the uncompressed layer for the registry (same diffIDs)', async () => {
    // A registry of its own: skopeo would otherwise mount the uncompressed blob that the
    // --preserve-digests push left in the shared one, and keep the manifest as it is.
    const fresh = await startRegistry();
    try {
      const ref = `docker://${fresh.host}/testkit/recompressed:latest`;
      await skopeoCopy(multiLayer.reference, ref, INSECURE_DEST);
      const info = await skopeoInspect(ref, { extraArgs: INSECURE });
      expect(info.json.Digest).not.toBe(multiLayer.manifestDigest);
      const [first, second, third] = multiLayer.layerDigests;
      expect(info.json.Layers[0]).toBe(first);
      expect(info.json.Layers[1]).not.toBe(second);
      expect(info.json.Layers[2]).toBe(third);
      const config = await skopeoInspect<OciConfig>(ref, { raw: true, config: true, extraArgs: INSECURE });
      expect(config.json.rootfs.diff_ids).toEqual(multiLayer.diffIds);
    } finally {
      await fresh.stop();
    }
  });

  it('pushes the multi-arch index with --all and pulls it back into an OCI layout unchanged', async () => {
    const ref = `docker://${registry.host}/testkit/multi-arch:${multiArch.tag}`;
    await skopeoCopy(multiArch.reference, ref, ['--all', ...INSECURE_DEST]);
    const raw = await skopeoInspect(ref, { raw: true, extraArgs: INSECURE });
    expect(raw.digest).toBe(multiArch.indexDigest);
    const layout = join(tmp.path, 'pulled-multi-arch');
    await skopeoCopy(ref, `oci:${layout}:back`, ['--all', '--src-tls-verify=false']);
    const verified = await verifyOciLayout(layout);
    expect(verified.indexes).toEqual([multiArch.indexDigest]);
    expect(verified.manifests.map((m) => m.digest)).toEqual(multiArch.images.map((i) => i.manifestDigest));
  });

  it('reports failures with skopeo exit status and stderr', async () => {
    const missing = `docker://${registry.host}/testkit/missing:nope`;
    const result = await runSkopeo(['inspect', ...INSECURE, missing]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/manifest unknown|not found/i);
    await expect(skopeoInspect(missing, { extraArgs: INSECURE })).rejects.toBeInstanceOf(SkopeoError);
  });
});

describe('skopeo isolation', () => {
  it('uses its own policy, registries.conf and auth locations, not the host ones', async () => {
    const env = await createSkopeoEnvironment();
    try {
      const policy = JSON.parse(await readFile(env.policyPath, 'utf8')) as unknown;
      expect(policy).toEqual({ default: [{ type: 'insecureAcceptAnything' }] });
      const ref = `docker://${registry.host}/testkit/single:v1`;
      const result = await runSkopeo(['--debug', 'inspect', ...INSECURE, ref], { environment: env });
      expect(result.exitCode).toBe(0);
      // logrus quotes the message, so the path's quotes come out as \".
      expect(result.stderr).toContain(`Loading registries configuration \\"${env.registriesConfPath}\\"`);
      expect(result.stderr).not.toContain('/etc/containers/registries.conf');
      const authLookups = [...result.stderr.matchAll(/No credentials matching \S+ found in (\S+)"/g)];
      expect(authLookups.length).toBeGreaterThan(0);
      for (const [, path] of authLookups) expect(path?.startsWith(env.root)).toBe(true);
    } finally {
      await env.cleanup();
    }
    expect(existsSync(env.root)).toBe(false);
  });

  it('gives each call a fresh environment and removes it', async () => {
    const result = await runSkopeo([
      '--debug',
      'inspect',
      ...INSECURE,
      `docker://${registry.host}/testkit/single:v1`,
    ]);
    const root = /registries\.d directory (\S+)\/home\/\.config/.exec(result.stderr)?.[1];
    expect(root).toMatch(/skopeo-ts-skopeo-env-/);
    expect(existsSync(root ?? '/')).toBe(false);
  });
});
