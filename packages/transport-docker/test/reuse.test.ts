// Blob reuse at the destination, seen through a logging proxy in front of a real registry: a
// re-push only HEADs, a push to another repository of the same registry mounts every blob (no
// bytes sent again), a mount the registry answers with an upload (202) is cancelled; tag lists
// and the catalog follow pagination links, only on the registry's origin.
import { copyImage, MemoryBlobInfoCache } from '@skopeo-ts/core';
import {
  buildOciImage,
  type FaultProxy,
  fixtures,
  type RunningRegistry,
  startFaultProxy,
  startRegistry,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DockerImageDestination, dockerTransport } from '../src/index.js';
import { docker, expectSkopeoError, INSECURE, uniqueRepo, useTempDirs } from './helpers.js';

let registry: RunningRegistry;
let proxy: FaultProxy;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
});

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

beforeEach(() => proxy.reset());

const tmp = useTempDirs();
const oci = (rest: string) => ociTransport.parseReference(rest);

/**
 * The multi-layer fixture with every layer gzip-compressed: an uncompressed layer is compressed on
 * the way, so its pushed digest is unknown before it is sent (reusing it needs a reverse lookup
 * the core BlobInfoCache does not have yet).
 */
async function layout(): Promise<string> {
  const dir = await tmp();
  const spec = fixtures.multiLayer();
  spec.layers = spec.layers.map((layer) =>
    'entries' in layer ? { ...layer, compression: 'gzip' as const } : layer,
  );
  await buildOciImage(`${dir}/layout`, spec, { tag: 'v1' });
  return `${dir}/layout:v1`;
}

const count = (method: string, part = '') =>
  proxy.log.filter((e) => e.method === method && e.url.includes(part)).length;

describe('blob reuse', () => {
  it('a re-push of the same image only checks the manifest with HEAD and touches no blob', async () => {
    const source = await layout();
    const ref = `//${proxy.host}/${uniqueRepo('reuse')}:v1`;
    const first = await copyImage(oci(source), docker(ref), { destinationContext: INSECURE });
    const uploads = count('PATCH');
    expect(uploads).toBeGreaterThan(0);
    proxy.reset();
    const second = await copyImage(oci(source), docker(ref), { destinationContext: INSECURE });
    expect(second.digest).toBe(first.digest);
    expect(count('PATCH')).toBe(0);
    expect(count('POST')).toBe(0);
    expect(count('HEAD', '/blobs/')).toBe(0);
    expect(count('HEAD', `/manifests/${first.digest}`)).toBe(1);
    expect(count('PUT', '/manifests/')).toBe(1);
  });

  it('a push to another repository of the registry mounts every blob', async () => {
    const source = await layout();
    const cache = new MemoryBlobInfoCache();
    const a = uniqueRepo('reuse');
    const b = uniqueRepo('reuse');
    await copyImage(oci(source), docker(`//${proxy.host}/${a}:v1`), { destinationContext: INSECURE, cache });
    proxy.reset();
    const result = await copyImage(oci(source), docker(`//${proxy.host}/${b}:v1`), {
      destinationContext: INSECURE,
      cache,
    });
    const mounts = proxy.log.filter((e) => e.method === 'POST' && e.url.includes('mount='));
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) expect(new URL(mount.url, 'http://x').searchParams.get('from')).toBe(a);
    expect(count('PATCH')).toBe(0);
    expect(proxy.log.filter((e) => e.method === 'POST' && !e.url.includes('mount=')).length).toBe(0);
    const back = await tmp();
    const pulled = await copyImage(docker(`//${proxy.host}/${b}:v1`), oci(`${back}/out:v1`), {
      sourceContext: INSECURE,
    });
    expect(pulled.digest).toBe(result.digest);
  });

  it('docker → docker in one registry mounts from the source repository without a warm cache', async () => {
    const source = await layout();
    const a = uniqueRepo('reuse');
    const b = uniqueRepo('reuse');
    await copyImage(oci(source), docker(`//${proxy.host}/${a}:v1`), { destinationContext: INSECURE });
    proxy.reset();
    await copyImage(docker(`//${proxy.host}/${a}:v1`), docker(`//${proxy.host}/${b}:v1`), {
      sourceContext: INSECURE,
      destinationContext: INSECURE,
      cache: new MemoryBlobInfoCache(),
    });
    expect(
      proxy.log.filter((e) => e.method === 'POST' && e.url.includes(`from=${encodeURIComponent(a)}`)).length,
    ).toBeGreaterThan(0);
    expect(count('PATCH')).toBe(0);
    expect(count('GET', '/blobs/sha256:')).toBeLessThanOrEqual(1); // the config, read by the engine
  });

  it('a mount answered with an upload (202) is cancelled, and the blob uploaded', async () => {
    const source = await layout();
    const cache = new MemoryBlobInfoCache();
    const b = uniqueRepo('reuse');
    // The cache claims the blobs are in a repository that does not have them.
    const manifest = JSON.parse(
      Buffer.from((await (await oci(source).newSource({})).getManifest()).bytes).toString(),
    ) as { layers: { digest: `sha256:${string}` }[] };
    for (const layer of manifest.layers) {
      cache.recordKnownLocation(layer.digest, {
        transport: 'docker',
        scope: proxy.host,
        location: 'nowhere/else',
      });
    }
    const destination = (await docker(`//${proxy.host}/${b}:v1`).newDestination(
      INSECURE,
    )) as DockerImageDestination;
    await destination.close();
    await copyImage(oci(source), docker(`//${proxy.host}/${b}:v1`), { destinationContext: INSECURE, cache });
    const mounts = proxy.log.filter((e) => e.method === 'POST' && e.url.includes('mount='));
    expect(mounts.length).toBe(manifest.layers.length);
    expect(count('DELETE', '/blobs/uploads/')).toBe(manifest.layers.length);
    expect(count('PATCH')).toBeGreaterThan(0);
  });

  it('hasManifest tells whether the repository has a manifest digest', async () => {
    const source = await layout();
    const ref = `//${proxy.host}/${uniqueRepo('reuse')}:v1`;
    const result = await copyImage(oci(source), docker(ref), { destinationContext: INSECURE });
    const destination = (await docker(ref).newDestination(INSECURE)) as DockerImageDestination;
    try {
      expect(await destination.hasManifest(result.digest)).toBe(true);
      expect(await destination.hasManifest(`sha256:${'0'.repeat(64)}`)).toBe(false);
    } finally {
      await destination.close();
    }
  });
});

describe('pagination', () => {
  it('tags follow Link pages (the registry does not paginate tags: the proxy does)', async () => {
    const pages: Record<string, { tags: string[]; next?: string }> = {
      '': { tags: ['a1', 'b2'], next: '/v2/x/y/tags/list?n=2&last=b2' },
      b2: { tags: ['c3', 'd4'], next: '/v2/x/y/tags/list?n=2&last=d4' },
      d4: { tags: ['e5'] },
    };
    proxy.rules.push(async ({ req, res }) => {
      if (!(req.url ?? '').includes('/tags/list')) return false;
      const page = pages[new URL(req.url ?? '', 'http://x').searchParams.get('last') ?? ''];
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(page?.next ? { link: `<${page.next}>; rel="next"` } : {}),
      });
      res.end(JSON.stringify({ name: 'x/y', tags: page?.tags ?? [] }));
      return true;
    });
    const listed = await dockerTransport.listTags(docker(`//${proxy.host}/x/y`), INSECURE, { pageSize: 2 });
    expect(listed).toEqual({ repository: `${proxy.host}/x/y`, tags: ['a1', 'b2', 'c3', 'd4', 'e5'] });
    expect(proxy.log.map((e) => e.url)).toEqual([
      '/v2/',
      '/v2/x/y/tags/list?n=2',
      '/v2/x/y/tags/list?n=2&last=b2',
      '/v2/x/y/tags/list?n=2&last=d4',
    ]);
  });

  it('the catalog is read page by page from the registry', async () => {
    const source = await layout();
    const cache = new MemoryBlobInfoCache();
    const repos = [uniqueRepo('pages'), uniqueRepo('pages'), uniqueRepo('pages')];
    for (const repo of repos) {
      await copyImage(oci(source), docker(`//${proxy.host}/${repo}:v1`), {
        destinationContext: INSECURE,
        cache,
      });
    }
    proxy.reset();
    const repositories = await dockerTransport.listRepositories(`docker://${proxy.host}`, INSECURE, {
      pageSize: 2,
    });
    for (const repo of repos) expect(repositories).toContain(repo);
    expect(new Set(repositories).size).toBe(repositories.length);
    expect(count('GET', '/_catalog')).toBeGreaterThanOrEqual(2);
  });

  it('junk tags are skipped', async () => {
    proxy.rules.push(async ({ req, res }) => {
      if (!(req.url ?? '').includes('/tags/list')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ name: 'x/y', tags: ['good', '', 'sha256:abc', 'bad tag', null, 'v1.0', 'v1.0'] }),
      );
      return true;
    });
    const listed = await dockerTransport.listTags(docker(`//${proxy.host}/x/y`), INSECURE);
    expect(listed.tags).toEqual(['good', 'v1.0']);
  });

  it('a pagination link to another origin is refused', async () => {
    proxy.rules.push(async ({ req, res }) => {
      if (!(req.url ?? '').includes('/tags/list')) return false;
      res.writeHead(200, {
        'content-type': 'application/json',
        link: '<http://127.0.0.1:9/v2/x/y/tags/list?last=a>; rel="next"',
      });
      res.end(JSON.stringify({ name: 'x/y', tags: ['a'] }));
      return true;
    });
    const error = await expectSkopeoError(
      dockerTransport.listTags(docker(`//${proxy.host}/x/y`), INSECURE),
      'IO',
    );
    expect(error.message).toContain('refusing a pagination link');
  });
});

describe('a registry that does not allow deleting', () => {
  let locked: RunningRegistry;
  beforeAll(async () => {
    locked = await startRegistry({ config: { storage: { delete: { enabled: false } } } });
  });
  afterAll(async () => {
    await locked?.stop();
  });

  it('delete fails with UNSUPPORTED and the image stays', async () => {
    const ref = `//${locked.host}/${uniqueRepo('locked')}:v1`;
    const pushed = await copyImage(oci(await layout()), docker(ref), { destinationContext: INSECURE });
    const error = await expectSkopeoError(docker(ref).delete(INSECURE), 'UNSUPPORTED');
    expect(error.message).toContain('does not allow deleting');
    const source = await docker(ref).newSource(INSECURE);
    try {
      expect((await source.getManifest()).bytes.length).toBe(pushed.manifest.length);
    } finally {
      await source.close();
    }
  });
});
