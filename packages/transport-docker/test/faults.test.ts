// Faults injected by a proxy in front of a real docker-registry (htpasswd Basic auth, so that
// every request carries Authorization): redirects to another origin, downloads cut mid-way,
// 429 and 5xx answers, upload Locations elsewhere, chunked uploads. Every copy ends correct or
// cleanly failed, and nothing half-written becomes visible.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { type Context, copyImage, type CopyResult, MemoryBlobInfoCache } from '@skopeo-ts/core';
import {
  buildOciImage,
  drainRequest as drain,
  type FaultProxy,
  type FaultRule,
  fixtures,
  type HtpasswdRegistry,
  startFaultProxy,
  startHtpasswdRegistry,
  startOriginServer,
  verifyOciLayout,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { docker, expectSkopeoError, uniqueRepo, useTempDirs } from './helpers.js';

const USER = 'tester';
const PASSWORD = 'fault-proxy-password-9731';
const AUTH_HEADER = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let registry: HtpasswdRegistry;
let proxy: FaultProxy;

beforeAll(async () => {
  registry = await startHtpasswdRegistry({ users: { [USER]: PASSWORD } });
  proxy = await startFaultProxy(registry.host);
});

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

beforeEach(() => proxy.reset());

function context(extra: Partial<Context> = {}): Context {
  return {
    tls: { verify: false },
    credentials: { kind: 'basic', username: USER, password: PASSWORD },
    ...extra,
  };
}

const oci = (rest: string) => ociTransport.parseReference(rest);
const tmp = useTempDirs();

const isBlobGet = (req: IncomingMessage) => req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '');
const isManifestGet = (req: IncomingMessage) => req.method === 'GET' && /\/manifests\//.test(req.url ?? '');

interface Pushed {
  repo: string;
  ref: string;
  result: CopyResult;
  /** The largest layer's digest and size. */
  bigLayer: { digest: string; size: number };
}

/** Pushes the multi-layer fixture through the proxy (no faults), then clears the proxy log. */
async function pushFixture(): Promise<Pushed> {
  const dir = await tmp();
  const image = await buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag: 'v1' });
  const repo = uniqueRepo('faults');
  const ref = `//${proxy.host}/${repo}:v1`;
  const result = await copyImage(oci(`${dir}/layout:v1`), docker(ref), { destinationContext: context() });
  const source = await docker(ref).newSource(context());
  let bigLayer = { digest: '', size: -1 };
  try {
    const manifest = JSON.parse(Buffer.from((await source.getManifest()).bytes).toString()) as {
      layers: { digest: string; size: number }[];
    };
    for (const layer of manifest.layers) if (layer.size > bigLayer.size) bigLayer = layer;
  } finally {
    await source.close();
  }
  void image;
  proxy.reset();
  return { repo, ref, result, bigLayer };
}

/** Fetches a blob straight from the registry (as a CDN would have it). */
function fetchFromRegistry(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const [host, port] = registry.host.split(':');
    const req = httpRequest(
      { host, port: Number(port), path, headers: { authorization: AUTH_HEADER } },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

describe('redirects', () => {
  it('a blob redirected to another port is fetched there without Authorization', async () => {
    const pushed = await pushFixture();
    const cdn = await startOriginServer(async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').searchParams.get('path') ?? '';
      const upstream = await fetchFromRegistry(path);
      res.writeHead(upstream.statusCode ?? 500, {
        'content-length': upstream.headers['content-length'] ?? '',
      });
      upstream.pipe(res);
    });
    try {
      proxy.rules.push(async ({ req, res }) => {
        if (!isBlobGet(req)) return false;
        await drain(req);
        const path = encodeURIComponent(new URL(req.url ?? '', 'http://x').pathname);
        res.writeHead(307, {
          location: `http://${cdn.host}/cdn?path=${path}&signature=cdn-secret-signature`,
        });
        res.end();
        return true;
      });
      const dir = await tmp();
      const debug: string[] = [];
      await copyImage(docker(pushed.ref), oci(`${dir}/out:v1`), {
        sourceContext: context({ debug: (m) => debug.push(m) }),
      });
      await verifyOciLayout(`${dir}/out`);
      expect(cdn.log.length).toBeGreaterThan(0);
      for (const entry of cdn.log) expect(entry.headers.authorization).toBeUndefined();
      const registryBlobGets = proxy.log.filter((e) => e.method === 'GET' && e.url.includes('/blobs/'));
      expect(registryBlobGets.length).toBeGreaterThan(0);
      for (const entry of registryBlobGets) expect(entry.headers.authorization).toBe(AUTH_HEADER);
      const log = debug.join('\n');
      expect(log).not.toContain('cdn-secret-signature');
      expect(log).not.toContain(PASSWORD);
      expect(log).toContain('Authorization: [redacted]');
    } finally {
      await cdn.close();
    }
  });
});

describe('a download cut mid-way', () => {
  /** Cuts the first full GET of `digest` after half its bytes; later requests go through. */
  function cutFirstDownload(digest: string) {
    let cut = false;
    return async ({ req, res, forward }: Parameters<FaultRule>[0]) => {
      if (cut || !isBlobGet(req) || !(req.url ?? '').includes(digest) || req.headers.range !== undefined) {
        return false;
      }
      cut = true;
      const upstream = await forward();
      const chunks: Buffer[] = [];
      for await (const chunk of upstream as AsyncIterable<Buffer>) chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.length),
        'docker-content-digest': digest,
      });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setTimeout(() => res.socket?.destroy(), 50);
      return true;
    };
  }

  it('resumes with Range from where it broke and gets the whole blob', async () => {
    const pushed = await pushFixture();
    proxy.rules.push(cutFirstDownload(pushed.bigLayer.digest));
    const dir = await tmp();
    await copyImage(docker(pushed.ref), oci(`${dir}/out:v1`), { sourceContext: context() });
    await verifyOciLayout(`${dir}/out`);
    const half = Math.floor(pushed.bigLayer.size / 2);
    const resumed = proxy.log.filter((e) => e.url.includes(pushed.bigLayer.digest) && e.headers.range);
    expect(resumed.map((e) => e.headers.range)).toEqual([`bytes=${half}-`]);
  });

  it('a server that ignores Range is read again, skipping what was passed on', async () => {
    const pushed = await pushFixture();
    proxy.rules.push(cutFirstDownload(pushed.bigLayer.digest));
    proxy.rules.push(async ({ req, forward, relay }) => {
      if (!isBlobGet(req) || req.headers.range === undefined) return false;
      relay(await forward({ range: undefined }));
      return true;
    });
    const dir = await tmp();
    await copyImage(docker(pushed.ref), oci(`${dir}/out:v1`), { sourceContext: context() });
    await verifyOciLayout(`${dir}/out`);
  });

  it('a resumed answer with the wrong Content-Range fails the copy cleanly', async () => {
    const pushed = await pushFixture();
    proxy.rules.push(cutFirstDownload(pushed.bigLayer.digest));
    proxy.rules.push(async ({ req, res }) => {
      if (!isBlobGet(req) || req.headers.range === undefined) return false;
      await drain(req);
      res.writeHead(206, { 'content-range': 'bytes 0-9/100', 'content-length': '10' });
      res.end(Buffer.alloc(10));
      return true;
    });
    const dir = await tmp();
    const error = await expectSkopeoError(
      copyImage(docker(pushed.ref), oci(`${dir}/out:v1`), { sourceContext: context() }),
      'IO',
    );
    expect(error.message).toContain('Content-Range');
    const source = await oci(`${dir}/out:v1`)
      .newSource({})
      .catch((e: unknown) => e);
    expect(source).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('retries', () => {
  it('429 with Retry-After is waited out and retried', async () => {
    const pushed = await pushFixture();
    let limited = 0;
    proxy.rules.push(async ({ req, res }) => {
      if (!isManifestGet(req) || limited >= 2) return false;
      limited++;
      await drain(req);
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      return true;
    });
    const started = Date.now();
    const source = await docker(pushed.ref).newSource(context());
    try {
      const manifest = await source.getManifest();
      expect(manifest.bytes.length).toBeGreaterThan(0);
    } finally {
      await source.close();
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(proxy.log.filter((e) => e.method === 'GET' && e.url.includes('/manifests/')).length).toBe(3);
  });

  it('a 503 is retried with ctx.retry and fails without it', async () => {
    const pushed = await pushFixture();
    let failures = 0;
    const failOnce = async ({ req, res }: Parameters<FaultRule>[0]) => {
      if (!isManifestGet(req) || failures >= 1) return false;
      failures++;
      await drain(req);
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('temporarily unavailable');
      return true;
    };
    proxy.rules.push(failOnce);
    const withoutRetry = await docker(pushed.ref).newSource(context());
    try {
      const error = await expectSkopeoError(withoutRetry.getManifest(), 'IO');
      expect(error.message).toContain('503');
    } finally {
      await withoutRetry.close();
    }
    failures = 0;
    const dir = await tmp();
    await copyImage(docker(pushed.ref), oci(`${dir}/out:v1`), {
      sourceContext: context({ retry: { times: 2, delayMs: 20 } }),
    });
    await verifyOciLayout(`${dir}/out`);
    expect(failures).toBe(1);
  });

  it('a reset connection on a blob is retried with ctx.retry', async () => {
    const pushed = await pushFixture();
    let resets = 0;
    proxy.rules.push(async ({ req }) => {
      if (!isBlobGet(req) || resets >= 1) return false;
      resets++;
      req.socket.destroy();
      return true;
    });
    const dir = await tmp();
    await copyImage(docker(pushed.ref), oci(`${dir}/out:v1`), {
      sourceContext: context({ retry: { times: 2, delayMs: 20 } }),
    });
    await verifyOciLayout(`${dir}/out`);
    expect(resets).toBe(1);
  });

  it('a manifest PUT that keeps failing leaves no tag behind', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const ref = `//${proxy.host}/${uniqueRepo('faults')}:v1`;
    proxy.rules.push(async ({ req, res }) => {
      if (req.method !== 'PUT' || !(req.url ?? '').includes('/manifests/')) return false;
      await drain(req);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNKNOWN","message":"storage on fire"}]}');
      return true;
    });
    const error = await expectSkopeoError(
      copyImage(oci(`${dir}/layout:v1`), docker(ref), {
        destinationContext: context({ retry: { times: 1, delayMs: 10 } }),
      }),
      'IO',
    );
    expect(error.message).toContain('storage on fire');
    proxy.rules = [];
    const source = await docker(ref).newSource(context());
    try {
      await expectSkopeoError(source.getManifest(), 'NOT_FOUND');
    } finally {
      await source.close();
    }
  });
});

describe('uploads', () => {
  it('an upload Location on another host is refused before anything is sent there', async () => {
    const elsewhere = await startOriginServer((req, res) => {
      res.writeHead(202, { location: req.url ?? '/' });
      res.end();
    });
    try {
      proxy.rules.push(async ({ req, forward, relay }) => {
        if (req.method !== 'POST' || !(req.url ?? '').includes('/blobs/uploads/')) return false;
        const upstream = await forward();
        const location = new URL(upstream.headers.location ?? '', `http://${proxy.host}`);
        relay(upstream, { location: `http://${elsewhere.host}${location.pathname}${location.search}` });
        return true;
      });
      const dir = await tmp();
      await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
      const ref = `//${proxy.host}/${uniqueRepo('faults')}:v1`;
      const error = await expectSkopeoError(
        copyImage(oci(`${dir}/layout:v1`), docker(ref), { destinationContext: context() }),
        'IO',
      );
      expect(error.message).toMatch(/refusing the upload Location on http:\/\/127\.0\.0\.1:\d+/);
      expect(elsewhere.log).toEqual([]);
      expect(proxy.log.some((e) => e.method === 'PATCH')).toBe(false);
    } finally {
      await elsewhere.close();
    }
  });

  it('a non-http upload Location is refused', async () => {
    proxy.rules.push(async ({ req, forward, relay }) => {
      if (req.method !== 'POST' || !(req.url ?? '').includes('/blobs/uploads/')) return false;
      relay(await forward(), { location: 'file:///etc/passwd' });
      return true;
    });
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const error = await expectSkopeoError(
      copyImage(oci(`${dir}/layout:v1`), docker(`//${proxy.host}/${uniqueRepo('faults')}:v1`), {
        destinationContext: context(),
      }),
      'IO',
    );
    expect(error.message).toContain('not http or https');
  });

  it('uploads in chunks when the registry asks for OCI-Chunk-Min-Length', async () => {
    const MIN = 10_000;
    proxy.rules.push(async ({ req, forward, relay }) => {
      if (req.method !== 'POST' || !(req.url ?? '').includes('/blobs/uploads/')) return false;
      relay(await forward(), { 'oci-chunk-min-length': String(MIN) });
      return true;
    });
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    const ref = `//${proxy.host}/${uniqueRepo('faults')}:v1`;
    const result = await copyImage(oci(`${dir}/layout:v1`), docker(ref), { destinationContext: context() });
    const patches = proxy.log.filter((e) => e.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    const byUpload = new Map<string, { start: number; length: number }[]>();
    for (const patch of patches) {
      const range = /^(\d+)-(\d+)$/.exec(String(patch.headers['content-range']));
      expect(range, `PATCH ${patch.url} must carry Content-Range`).not.toBeNull();
      const upload = (patch.url.split('?')[0] ?? '').split('/').pop() ?? '';
      const start = Number(range?.[1]);
      const length = Number(patch.headers['content-length']);
      expect(Number(range?.[2]) - start + 1).toBe(length);
      byUpload.set(upload, [...(byUpload.get(upload) ?? []), { start, length }]);
    }
    expect([...byUpload.values()].some((chunks) => chunks.length > 1)).toBe(true);
    for (const chunks of byUpload.values()) {
      chunks.forEach((chunk, i) => {
        if (i < chunks.length - 1) expect(chunk.length).toBeGreaterThanOrEqual(MIN);
        if (i > 0) {
          const previous = chunks[i - 1];
          expect(chunk.start).toBe((previous?.start ?? 0) + (previous?.length ?? 0));
        }
      });
    }
    const back = await tmp();
    const pulled = await copyImage(docker(ref), oci(`${back}/out:v1`), {
      sourceContext: context(),
      cache: new MemoryBlobInfoCache(),
    });
    expect(pulled.digest).toBe(result.digest);
    await verifyOciLayout(`${back}/out`);
  });
});

describe('limits', () => {
  it('a manifest over 4 MiB is refused without reading it all', async () => {
    const pushed = await pushFixture();
    proxy.rules.push(async ({ req, res }) => {
      if (!isManifestGet(req)) return false;
      await drain(req);
      const size = 4 * 1024 * 1024 + 1;
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': String(size),
      });
      res.end(Buffer.alloc(size, 0x20));
      return true;
    });
    const source = await docker(pushed.ref).newSource(context());
    try {
      await expectSkopeoError(source.getManifest(), 'MANIFEST_TOO_LARGE');
    } finally {
      await source.close();
    }
  });

  it('a huge error body is cut at 1 MiB and still gives the right error', async () => {
    const pushed = await pushFixture();
    proxy.rules.push(async ({ req, res }) => {
      if (!isManifestGet(req)) return false;
      await drain(req);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(Buffer.alloc(3 * 1024 * 1024, 0x41));
      return true;
    });
    const source = await docker(pushed.ref).newSource(context());
    try {
      const error = await expectSkopeoError(source.getManifest(), 'NOT_FOUND');
      expect(error.message.length).toBeLessThan(2000);
    } finally {
      await source.close();
    }
  });
});
