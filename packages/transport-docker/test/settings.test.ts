import { copyImage, digestOf } from '@skopeo-ts/core';
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
import { createDockerTransport, type RegistryEndpoint } from '../src/index.js';
import { docker, expectSkopeoError, uniqueRepo, useStarted, useTempDirs } from './helpers.js';

const tmp = useTempDirs();
const oci = (rest: string) => ociTransport.parseReference(rest);

describe('TLS', () => {
  const tls = useStarted(() => startTlsRegistry());

  it('an unknown CA fails with IO and a hint; verify=false and a trusted CA both work over https', async () => {
    const ref = `//${tls().host}/${uniqueRepo('tls')}:v1`;
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const error = await expectSkopeoError(
      copyImage(oci(`${dir}/layout:v1`), docker(ref), { destinationContext: {} }),
      'IO',
    );
    expect(error.message).toContain(tls().host);
    expect((error as { hint?: string }).hint).toMatch(/tls-verify|CA/);
    const debug: string[] = [];
    const pushed = await copyImage(oci(`${dir}/layout:v1`), docker(ref), {
      destinationContext: { tls: { verify: false }, debug: (m) => debug.push(m) },
    });
    expect(debug.some((line) => line.startsWith(`ping https://${tls().host}/v2/`))).toBe(true);
    const trusting = createDockerTransport({
      settings: () => ({ tls: { forRegistry: async () => ({ verify: true, ca: [tls().ca] }) } }),
    });
    const source = await trusting.parseReference(ref).newSource({});
    try {
      expect(digestOf((await source.getManifest()).bytes)).toBe(pushed.digest);
    } finally {
      await source.close();
    }
  });
});

describe('credential sources', () => {
  let registry: HtpasswdRegistry;

  beforeAll(async () => {
    registry = await startHtpasswdRegistry({ users: { carol: 'from-a-source' } });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('a CredentialSource is asked with the registry and repository; ctx.noCredentials still wins', async () => {
    const asked: [string, string | undefined][] = [];
    const transport = createDockerTransport({
      settings: (ctx) => ({
        credentials: {
          forRegistry: async (host, repository) => {
            asked.push([host, repository]);
            return ctx.noCredentials
              ? undefined
              : { kind: 'basic', username: 'carol', password: 'from-a-source' };
          },
        },
      }),
    });
    const repo = uniqueRepo('creds');
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    await copyImage(oci(`${dir}/layout:v1`), transport.parseReference(`//${registry.host}/${repo}:v1`), {
      destinationContext: { tls: { verify: false } },
    });
    expect(asked).toContainEqual([registry.host, repo]);
    const source = await transport.parseReference(`//${registry.host}/${repo}:v1`).newSource({
      tls: { verify: false },
      noCredentials: true,
    });
    try {
      await expectSkopeoError(source.getManifest(), 'UNAUTHORIZED');
    } finally {
      await source.close();
    }
  });
});

describe('pull endpoints (mirrors)', () => {
  let primary: RunningRegistry;
  let mirror: RunningRegistry;

  beforeAll(async () => {
    [primary, mirror] = await Promise.all([startRegistry(), startRegistry()]);
  });

  afterAll(async () => {
    await Promise.all([primary?.stop(), mirror?.stop()]);
  });

  function mirrored(mirrorRepo: (repo: string) => string) {
    return createDockerTransport({
      settings: () => ({
        endpoints: {
          pullEndpoints: async (ref): Promise<RegistryEndpoint[]> => [
            { location: mirror.host, repository: mirrorRepo(ref.path), insecure: true, mirror: true },
            { location: ref.domain, repository: ref.path, insecure: true },
          ],
          primaryEndpoint: async (ref) => ({ location: ref.domain, repository: ref.path, insecure: true }),
          registryEndpoint: async (host) => ({ location: host, repository: '', insecure: true }),
        },
      }),
    });
  }

  it('the first endpoint that has the image serves it; when none has it the error says so', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const repo = uniqueRepo('mirror');
    const insecure = { tls: { verify: false } };
    const onPrimary = await copyImage(oci(`${dir}/layout:v1`), docker(`//${primary.host}/${repo}:v1`), {
      destinationContext: insecure,
    });
    const transport = mirrored((path) => `cache/${path}`);
    // Not on the mirror yet: read from the primary.
    const out = await tmp();
    const viaPrimary = await copyImage(
      transport.parseReference(`//${primary.host}/${repo}:v1`),
      oci(`${out}/a:v1`),
      {
        sourceContext: insecure,
      },
    );
    expect(viaPrimary.digest).toBe(onPrimary.digest);
    // On the mirror (under its remapped path): read from there.
    await copyImage(oci(`${dir}/layout:v1`), docker(`//${mirror.host}/cache/${repo}:v1`), {
      destinationContext: insecure,
    });
    const source = await transport.parseReference(`//${primary.host}/${repo}:v1`).newSource(insecure);
    try {
      expect(source.reference.toString()).toBe(`docker://${primary.host}/${repo}:v1`);
      expect((source as unknown as { endpoint: RegistryEndpoint }).endpoint).toMatchObject({
        location: mirror.host,
        repository: `cache/${repo}`,
      });
    } finally {
      await source.close();
    }
    const error = await expectSkopeoError(
      transport.parseReference(`//${primary.host}/${repo}:missing`).newSource(insecure),
      'NOT_FOUND',
    );
    expect(error.message).toContain('mirrors also failed');
    expect(error.message).toContain(mirror.host);
  });
});
