// Differential tests with skopeo 1.9.3: what we push, skopeo reads with the same digests and
// copies back; what skopeo pushes, we read with the same digests; list-tags and delete agree.
import {
  configInfo,
  copyImage,
  digestOf,
  isParsedManifestList,
  listInstances,
  MemoryBlobInfoCache,
  parseManifestBlob,
} from '@skopeo-ts/core';
import {
  buildMultiArchIndex,
  buildOciImage,
  fixtures,
  runSkopeo,
  skopeoCopy,
  skopeoInspect,
  verifyOciLayout,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { describe, expect, it } from 'vitest';
import { dockerTransport } from '../src/index.js';
import { docker, INSECURE, uniqueRepo, useRegistry, useTempDirs } from './helpers.js';

const NO_TLS = ['--tls-verify=false'];
const oci = (rest: string) => ociTransport.parseReference(rest);

describe('skopeo 1.9.3 differential', () => {
  const reg = useRegistry();
  const tmp = useTempDirs();

  it('an image we push is read by skopeo with the same digest and copied back whole', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    const ref = `docker://${reg.host}/${uniqueRepo('diff')}:v1`;
    const result = await copyImage(oci(`${dir}/layout:v1`), dockerTransport.parseReference(ref.slice(7)), {
      destinationContext: INSECURE,
    });
    const raw = await skopeoInspect(ref, { raw: true, extraArgs: NO_TLS });
    expect(raw.digest).toBe(result.digest);
    expect(Buffer.compare(raw.bytes, Buffer.from(result.manifest))).toBe(0);
    const inspected = await skopeoInspect(ref, { extraArgs: NO_TLS });
    expect(inspected.json.Digest).toBe(result.digest);
    await skopeoCopy(ref, `oci:${dir}/back:v1`, ['--src-tls-verify=false', '--preserve-digests']);
    const back = await verifyOciLayout(`${dir}/back`);
    expect(back.manifests.map((m) => m.digest)).toContain(result.digest);
  });

  it('an image skopeo pushes is read by us with the same digests', async () => {
    const dir = await tmp();
    const image = await buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    const ref = `docker://${reg.host}/${uniqueRepo('diff')}:v1`;
    await skopeoCopy(image.reference, ref, ['--dest-tls-verify=false']);
    const raw = await skopeoInspect(ref, { raw: true, extraArgs: NO_TLS });
    const config = await skopeoInspect(ref, { raw: true, config: true, extraArgs: NO_TLS });
    const source = await docker(ref.slice(7)).newSource(INSECURE);
    try {
      const manifest = await source.getManifest();
      expect(digestOf(manifest.bytes)).toBe(raw.digest);
      expect(Buffer.compare(Buffer.from(manifest.bytes), raw.bytes)).toBe(0);
      const parsed = parseManifestBlob(manifest);
      if (isParsedManifestList(parsed)) throw new Error('expected an image');
      expect(configInfo(parsed)?.digest).toBe(config.digest);
    } finally {
      await source.close();
    }
    const result = await copyImage(docker(ref.slice(7)), oci(`${dir}/pulled:v1`), {
      sourceContext: INSECURE,
    });
    expect(result.digest).toBe(raw.digest);
    const pulled = await verifyOciLayout(`${dir}/pulled`);
    expect(pulled.manifests.map((m) => m.digest)).toContain(raw.digest);
  });

  it('multi-arch --all both ways keeps the index digest', async () => {
    const dir = await tmp();
    const index = await buildMultiArchIndex(`${dir}/layout`, fixtures.multiArch(), { tag: 'multi' });
    // Ours → registry → skopeo.
    const ours = `docker://${reg.host}/${uniqueRepo('diff-multi')}:multi`;
    const pushed = await copyImage(oci(`${dir}/layout:multi`), docker(ours.slice(7)), {
      destinationContext: INSECURE,
      multiArch: 'all',
    });
    expect(pushed.digest).toBe(index.indexDigest);
    const raw = await skopeoInspect(ours, { raw: true, extraArgs: NO_TLS });
    expect(raw.digest).toBe(index.indexDigest);
    await skopeoCopy(ours, `oci:${dir}/skopeo-back:multi`, ['--all', '--src-tls-verify=false']);
    const back = await verifyOciLayout(`${dir}/skopeo-back`);
    expect(back.indexes).toContain(index.indexDigest);
    // skopeo → registry → ours.
    const theirs = `docker://${reg.host}/${uniqueRepo('diff-multi')}:multi`;
    await skopeoCopy(index.reference, theirs, ['--all', '--dest-tls-verify=false']);
    const theirRaw = await skopeoInspect(theirs, { raw: true, extraArgs: NO_TLS });
    const pulled = await copyImage(docker(theirs.slice(7)), oci(`${dir}/ours-back:multi`), {
      sourceContext: INSECURE,
      multiArch: 'all',
    });
    expect(pulled.digest).toBe(theirRaw.digest);
    const source = await docker(theirs.slice(7)).newSource(INSECURE);
    try {
      const list = parseManifestBlob(await source.getManifest());
      if (!isParsedManifestList(list)) throw new Error('expected a list');
      for (const instance of listInstances(list)) {
        const manifest = await source.getManifest(instance.digest);
        expect(digestOf(manifest.bytes)).toBe(instance.digest);
      }
    } finally {
      await source.close();
    }
  });

  it('list-tags equals skopeo list-tags', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const repo = uniqueRepo('diff-tags');
    const cache = new MemoryBlobInfoCache();
    for (const tag of ['v1', 'latest', '1.0.0', 'release_2']) {
      await copyImage(oci(`${dir}/layout:v1`), docker(`//${reg.host}/${repo}:${tag}`), {
        destinationContext: INSECURE,
        cache,
      });
    }
    const skopeo = await runSkopeo(['list-tags', ...NO_TLS, `docker://${reg.host}/${repo}`]);
    expect(skopeo.exitCode, skopeo.stderr).toBe(0);
    const expected = JSON.parse(skopeo.stdout) as { Repository: string; Tags: string[] };
    const ours = await dockerTransport.listTags(docker(`//${reg.host}/${repo}`), INSECURE);
    expect(ours.repository).toBe(expected.Repository);
    expect(ours.tags).toEqual(expected.Tags);
  });

  it('after our delete, skopeo inspect fails', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const ref = `docker://${reg.host}/${uniqueRepo('diff-delete')}:v1`;
    await copyImage(oci(`${dir}/layout:v1`), docker(ref.slice(7)), { destinationContext: INSECURE });
    await skopeoInspect(ref, { raw: true, extraArgs: NO_TLS });
    await docker(ref.slice(7)).delete(INSECURE);
    const after = await runSkopeo(['inspect', '--raw', ...NO_TLS, ref]);
    expect(after.exitCode).not.toBe(0);
    expect(after.stderr).toMatch(/manifest unknown|not found/i);
  });

  it('skopeo delete is seen by us as NOT_FOUND', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const ref = `docker://${reg.host}/${uniqueRepo('diff-delete')}:v1`;
    await copyImage(oci(`${dir}/layout:v1`), docker(ref.slice(7)), { destinationContext: INSECURE });
    const deleted = await runSkopeo(['delete', ...NO_TLS, ref]);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    const source = await docker(ref.slice(7)).newSource(INSECURE);
    try {
      await expect(source.getManifest()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await source.close();
    }
  });
});
