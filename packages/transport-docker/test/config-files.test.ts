// The default docker transport reads the configuration files through the Context: auth files
// (HOME, REGISTRY_AUTH_FILE, ctx.authFile), credential helpers, certs.d, registries.conf
// (location, insecure, blocked, mirrors) and proxies, against real registries.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { type Context, copyImage, digestOf } from '@skopeo-ts/core';
import {
  buildOciImage,
  fixtures,
  type HtpasswdRegistry,
  type RunningRegistry,
  startHtpasswdRegistry,
  startRegistry,
  startTlsRegistry,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTransport, type RegistryEndpoint } from '../src/index.js';
import { docker, expectSkopeoError, uniqueRepo, useStarted, useTempDirs } from './helpers.js';

const tmp = useTempDirs();
const oci = (rest: string) => ociTransport.parseReference(rest);
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

async function layout(): Promise<string> {
  const dir = await tmp();
  await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
  return `${dir}/layout:v1`;
}

async function writeJson(file: string, value: unknown): Promise<string> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** Reads the manifest of ref with ctx; returns its digest. */
async function manifestDigest(ref: string, ctx: Context): Promise<string> {
  const source = await docker(ref).newSource(ctx);
  try {
    return digestOf((await source.getManifest()).bytes);
  } finally {
    await source.close();
  }
}

describe('credentials from the auth files and helpers', () => {
  let registry: HtpasswdRegistry;
  let repo: string;

  beforeAll(async () => {
    registry = await startHtpasswdRegistry({ users: { dora: 'right-secret' } });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  /** A temp HOME with ~/.config/containers/auth.json holding `auths`. */
  async function home(auths: Record<string, unknown> = {}): Promise<string> {
    const dir = await tmp();
    await writeJson(join(dir, '.config/containers/auth.json'), auths);
    return dir;
  }

  const ctxFor = (homeDir: string, env: Record<string, string> = {}): Context => ({
    homeDir,
    env,
    tls: { verify: false },
  });

  it('~/.config/containers/auth.json in ctx.homeDir gives access; without it access is refused', async () => {
    repo = uniqueRepo('authfile');
    const good = await home({ auths: { [registry.host]: { auth: basic('dora', 'right-secret') } } });
    const pushed = await copyImage(oci(await layout()), docker(`//${registry.host}/${repo}:v1`), {
      destinationContext: ctxFor(good),
    });
    expect(await manifestDigest(`//${registry.host}/${repo}:v1`, ctxFor(good))).toBe(pushed.digest);
    await expectSkopeoError(
      manifestDigest(`//${registry.host}/${repo}:v1`, ctxFor(await home())),
      'UNAUTHORIZED',
    );
    // The most specific key wins: a wrong registry-wide entry, a right one for the repository.
    const namespaced = await home({
      auths: {
        [registry.host]: { auth: basic('dora', 'wrong') },
        [`${registry.host}/${repo}`]: { auth: basic('dora', 'right-secret') },
      },
    });
    expect(await manifestDigest(`//${registry.host}/${repo}:v1`, ctxFor(namespaced))).toBe(pushed.digest);
  });

  it('REGISTRY_AUTH_FILE replaces the search; ctx.authFile wins over REGISTRY_AUTH_FILE; ctx.credentials over both', async () => {
    const ref = `//${registry.host}/${repo}:v1`;
    const dir = await tmp();
    const goodFile = await writeJson(join(dir, 'good.json'), {
      auths: { [registry.host]: { auth: basic('dora', 'right-secret') } },
    });
    const badFile = await writeJson(join(dir, 'bad.json'), {
      auths: { [registry.host]: { auth: basic('dora', 'wrong') } },
    });
    const badHome = await home({ auths: { [registry.host]: { auth: basic('dora', 'wrong') } } });
    await manifestDigest(ref, ctxFor(badHome, { REGISTRY_AUTH_FILE: goodFile }));
    await expectSkopeoError(
      manifestDigest(ref, ctxFor(await home(), { REGISTRY_AUTH_FILE: badFile })),
      'UNAUTHORIZED',
    );
    await manifestDigest(ref, { ...ctxFor(badHome, { REGISTRY_AUTH_FILE: badFile }), authFile: goodFile });
    await expectSkopeoError(
      manifestDigest(ref, { ...ctxFor(badHome, { REGISTRY_AUTH_FILE: goodFile }), authFile: badFile }),
      'UNAUTHORIZED',
    );
    // --creds first, --no-creds drops everything.
    await expectSkopeoError(
      manifestDigest(ref, {
        ...ctxFor(badHome, { REGISTRY_AUTH_FILE: goodFile }),
        credentials: { kind: 'basic', username: 'dora', password: 'wrong' },
      }),
      'UNAUTHORIZED',
    );
    await manifestDigest(ref, {
      ...ctxFor(await home()),
      credentials: { kind: 'basic', username: 'dora', password: 'right-secret' },
    });
    await expectSkopeoError(
      manifestDigest(ref, { ...ctxFor(badHome, { REGISTRY_AUTH_FILE: goodFile }), noCredentials: true }),
      'UNAUTHORIZED',
    );
  });

  it('credHelpers and credsStore run docker-credential-NAME from ctx.env PATH, once per operation', async () => {
    const ref = `//${registry.host}/${repo}:v1`;
    const bin = await tmp();
    const log = join(bin, 'calls.log');
    const script = join(bin, 'docker-credential-testhelper');
    await writeFile(
      script,
      `#!/bin/sh\nread server\necho "$1 $server" >> '${log}'\nprintf '{"ServerURL":"%s","Username":"dora","Secret":"right-secret"}' "$server"\n`,
    );
    await chmod(script, 0o755);
    const env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const withHelper = await home({ credHelpers: { [registry.host]: 'testhelper' } });
    const source = await docker(ref).newSource(ctxFor(withHelper, env));
    try {
      const { bytes } = await source.getManifest();
      await source.getManifest(digestOf(bytes));
      await source.getManifest();
    } finally {
      await source.close();
    }
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([`get ${registry.host}`]);
    // Not on PATH: the helper cannot run.
    await expect(manifestDigest(ref, ctxFor(withHelper, { PATH: '/nonexistent' }))).rejects.toThrow(
      /testhelper/,
    );
    // credsStore (beyond skopeo) asks the helper with the registry's URL.
    await manifestDigest(ref, ctxFor(await home({ credsStore: 'testhelper' }), env));
    expect((await readFile(log, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});

describe('TLS from certs.d', () => {
  const tls = useStarted(() => startTlsRegistry());

  it('the test CA in ctx.tls.certDir or ~/.config/containers/certs.d/HOST:PORT is trusted; without it a clear error', async () => {
    const ref = `//${tls().host}/${uniqueRepo('certsd')}:v1`;
    const certDir = await tmp();
    await writeFile(join(certDir, 'ca.crt'), tls().ca);
    const pushed = await copyImage(oci(await layout()), docker(ref), {
      destinationContext: { homeDir: await tmp(), env: {}, tls: { certDir } },
    });
    const homeDir = await tmp();
    await mkdir(join(homeDir, '.config/containers/certs.d', tls().host), { recursive: true });
    await writeFile(join(homeDir, '.config/containers/certs.d', tls().host, 'ca.crt'), tls().ca);
    expect(await manifestDigest(ref, { homeDir, env: {} })).toBe(pushed.digest);
    const error = await expectSkopeoError(manifestDigest(ref, { homeDir: await tmp(), env: {} }), 'IO');
    expect(error.message).toContain(tls().host);
    expect((error as { hint?: string }).hint).toMatch(/tls-verify|CA/);
    // An unpaired client certificate in the directory is an error, not silently ignored.
    await writeFile(join(certDir, 'client.cert'), tls().ca);
    await expect(manifestDigest(ref, { homeDir: await tmp(), env: {}, tls: { certDir } })).rejects.toThrow(
      /client\.key|client\.cert/,
    );
  });
});

describe('registries.conf', () => {
  let primary: RunningRegistry;
  let mirror: RunningRegistry;

  beforeAll(async () => {
    [primary, mirror] = await Promise.all([startRegistry(), startRegistry()]);
  });

  afterAll(async () => {
    await Promise.all([primary?.stop(), mirror?.stop()]);
  });

  async function conf(text: string): Promise<Context> {
    const dir = await tmp();
    const registriesConf = join(dir, 'registries.conf');
    await writeFile(registriesConf, text);
    return { homeDir: dir, env: {}, registriesConf };
  }

  it('location rewrites a fake prefix to the real registry (insecure from the file) for pulls and pushes', async () => {
    const ctx = await conf(
      `[[registry]]\nprefix = "fake.example/ns"\nlocation = "${primary.host}/real"\ninsecure = true\n`,
    );
    const repo = uniqueRepo('app');
    const pushed = await copyImage(oci(await layout()), docker(`//fake.example/ns/${repo}:v1`), {
      destinationContext: ctx,
    });
    expect(await manifestDigest(`//${primary.host}/real/${repo}:v1`, { tls: { verify: false } })).toBe(
      pushed.digest,
    );
    expect(await manifestDigest(`//fake.example/ns/${repo}:v1`, ctx)).toBe(pushed.digest);
  });

  it('blocked = true is refused with DENIED naming the file, for pulls, pushes and tag lists', async () => {
    const ctx = await conf(
      `[[registry]]\nprefix = "${primary.host}/closed"\nlocation = "${primary.host}/closed"\nblocked = true\n`,
    );
    const ref = `//${primary.host}/closed/app:v1`;
    const error = await expectSkopeoError(docker(ref).newSource(ctx), 'DENIED');
    expect(error.message).toContain(ctx.registriesConf);
    expect(error.message).toContain('blocked');
    await expectSkopeoError(docker(ref).newDestination(ctx), 'DENIED');
    await expectSkopeoError(dockerTransport.listTags(docker(ref), ctx), 'DENIED');
    // Other repositories of the registry stay usable.
    const repo = uniqueRepo('open');
    await copyImage(oci(await layout()), docker(`//${primary.host}/${repo}:v1`), {
      destinationContext: { ...ctx, tls: { verify: false } },
    });
  });

  it('a mirror serves pulls first; the primary is the fallback; when both miss the error says so', async () => {
    const ctx = await conf(
      [
        '[[registry]]',
        `prefix = "${primary.host}/mirrored"`,
        `location = "${primary.host}/mirrored"`,
        'insecure = true',
        '[[registry.mirror]]',
        `location = "${mirror.host}/cache"`,
        'insecure = true',
      ].join('\n'),
    );
    const repo = uniqueRepo('m');
    const insecure = { tls: { verify: false } };
    const onPrimary = await copyImage(oci(await layout()), docker(`//${primary.host}/mirrored/${repo}:v1`), {
      destinationContext: insecure,
    });
    const endpointOf = async (ref: string) => {
      const source = await docker(ref).newSource(ctx);
      try {
        return (source as unknown as { endpoint: RegistryEndpoint }).endpoint;
      } finally {
        await source.close();
      }
    };
    expect(await endpointOf(`//${primary.host}/mirrored/${repo}:v1`)).toMatchObject({
      location: primary.host,
      repository: `mirrored/${repo}`,
    });
    await copyImage(oci(await layout()), docker(`//${mirror.host}/cache/${repo}:v1`), {
      destinationContext: insecure,
    });
    const viaMirror = await endpointOf(`//${primary.host}/mirrored/${repo}:v1`);
    expect(viaMirror).toMatchObject({ location: mirror.host, repository: `cache/${repo}`, mirror: true });
    const out = await tmp();
    const copied = await copyImage(docker(`//${primary.host}/mirrored/${repo}:v1`), oci(`${out}/l:v1`), {
      sourceContext: ctx,
    });
    expect(copied.digest).toBe(onPrimary.digest);
    const error = await expectSkopeoError(
      docker(`//${primary.host}/mirrored/${repo}:missing`).newSource(ctx),
      'NOT_FOUND',
    );
    expect(error.message).toContain('mirrors also failed');
    expect(error.message).toContain(mirror.host);
  });
});

describe('proxies from ctx.env', () => {
  let registry: RunningRegistry;
  let proxy: http.Server;
  let proxyPort: number;
  const tunnels: string[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    // A CONNECT proxy that knows "registry.test" as the registry's loopback address.
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const port = Number((req.url ?? '').split(':')[1]);
      const upstream = net.connect(port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await registry?.stop();
  });

  it('HTTP_PROXY/HTTPS_PROXY carry the requests; NO_PROXY bypasses; socks5 is a clear UNSUPPORTED', async () => {
    const port = registry.host.split(':')[1];
    const repo = uniqueRepo('proxied');
    const pushed = await copyImage(oci(await layout()), docker(`//${registry.host}/${repo}:v1`), {
      destinationContext: { tls: { verify: false } },
    });
    const proxied = (env: Record<string, string>): Context => ({
      homeDir: '/nonexistent',
      env,
      tls: { verify: false },
    });
    const via = `http://127.0.0.1:${proxyPort}`;
    const ref = `//registry.test:${port}/${repo}:v1`;
    expect(await manifestDigest(ref, proxied({ HTTP_PROXY: via, HTTPS_PROXY: via }))).toBe(pushed.digest);
    expect(tunnels).toContain(`registry.test:${port}`);
    await expectSkopeoError(
      manifestDigest(ref, proxied({ HTTP_PROXY: via, HTTPS_PROXY: via, NO_PROXY: 'registry.test' })),
      'IO',
    );
    const error = await expectSkopeoError(
      manifestDigest(ref, proxied({ HTTPS_PROXY: 'socks5://user:pw-secret@127.0.0.1:1080' })),
      'UNSUPPORTED',
    );
    expect(error.message).toContain('socks5');
    expect(error.message).not.toContain('pw-secret');
  });
});
