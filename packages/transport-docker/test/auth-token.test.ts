// Bearer token auth with a real docker-registry (`auth.token`) and a token server written here:
// scopes are honoured, tokens cached per scope and shared by concurrent requests, refresh tokens
// go by POST, registry tokens are used as given, insufficient_scope is retried once, and bad
// credentials fail with UNAUTHORIZED without the secret in the message.
import { type Context, copyImage, MemoryBlobInfoCache } from '@skopeo-ts/core';
import {
  buildOciImage,
  fixtures,
  skopeoInspect,
  startTokenRegistry,
  type TokenRegistry,
  type TokenServer,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DockerImageSource, dockerTransport } from '../src/index.js';
import { docker, expectSkopeoError, uniqueRepo, useTempDirs } from './helpers.js';

const USER = { username: 'bob', password: 'token-user-password-5521', refreshToken: 'refresh-token-abc-123' };

let registry: TokenRegistry;
let tokens: TokenServer;

beforeAll(async () => {
  registry = await startTokenRegistry({ user: USER });
  tokens = registry.tokenServer;
});

afterAll(async () => {
  await registry?.stop();
});

beforeEach(() => {
  tokens.log.length = 0;
  tokens.stingyOnce.clear();
  tokens.expiresIn = 300;
});

const tmp = useTempDirs();
const oci = (rest: string) => ociTransport.parseReference(rest);
const basic = (password = USER.password): Context => ({
  tls: { verify: false },
  credentials: { kind: 'basic', username: USER.username, password },
});
const anonymous: Context = { tls: { verify: false } };

async function pushAs(ctx: Context, repo: string, tag = 'v1') {
  const dir = await tmp();
  await buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag: 'v1' });
  return copyImage(oci(`${dir}/layout:v1`), docker(`//${registry.host}/${repo}:${tag}`), {
    destinationContext: ctx,
  });
}

describe('Bearer token auth', () => {
  it('a push fetches one token for its scope and reuses it for every request', async () => {
    const repo = uniqueRepo('tok');
    const result = await pushAs(basic(), repo);
    const scope = `repository:${repo}:pull,push`;
    const forScope = tokens.log.filter((entry) => entry.scopes.includes(scope));
    expect(forScope.length).toBe(1);
    expect(forScope[0]?.who).toBe(USER.username);
    expect(tokens.log.length).toBe(1);
    const raw = await skopeoInspect(`docker://${registry.host}/${repo}:v1`, {
      raw: true,
      extraArgs: ['--tls-verify=false', '--creds', `${USER.username}:${USER.password}`],
    });
    expect(raw.digest).toBe(result.digest);
  });

  it('concurrent blob requests of a fresh source share one token fetch', async () => {
    const repo = uniqueRepo('tok');
    await pushAs(basic(), repo);
    tokens.log.length = 0;
    const source = (await docker(`//${registry.host}/${repo}:v1`).newSource(basic())) as DockerImageSource;
    try {
      const manifestPromise = source.getManifest();
      const configs = JSON.parse(Buffer.from((await manifestPromise).bytes).toString()) as {
        layers: { digest: `sha256:${string}`; size: number }[];
      };
      tokens.log.length = 0;
      const second = (await docker(`//${registry.host}/${repo}:v1`).newSource(basic())) as DockerImageSource;
      try {
        const blobs = await Promise.all(configs.layers.map((layer) => second.getBlob(layer)));
        await Promise.all(
          blobs.map(async (blob) => {
            for await (const _ of blob.stream) {
              // drain
            }
          }),
        );
        expect(blobs.length).toBeGreaterThan(1);
        expect(tokens.log.length).toBe(1);
        expect(tokens.log[0]?.scopes).toEqual([`repository:${repo}:pull`]);
      } finally {
        await second.close();
      }
    } finally {
      await source.close();
    }
  });

  it('anonymous pulls of public/* work; an anonymous push is UNAUTHORIZED', async () => {
    const repo = uniqueRepo('public');
    const pushed = await pushAs(basic(), repo);
    const dir = await tmp();
    const pulled = await copyImage(docker(`//${registry.host}/${repo}:v1`), oci(`${dir}/out:v1`), {
      sourceContext: anonymous,
    });
    expect(pulled.digest).toBe(pushed.digest);
    expect(tokens.log.some((entry) => entry.who === 'anonymous')).toBe(true);
    const error = await expectSkopeoError(pushAs(anonymous, uniqueRepo('public')), 'UNAUTHORIZED');
    expect(error.message).toContain(registry.host);
  });

  it('a wrong password is UNAUTHORIZED and the message holds no secret', async () => {
    const wrong = 'this-is-not-the-password-77';
    const debug: string[] = [];
    const source = await docker(`//${registry.host}/${uniqueRepo('tok')}:v1`).newSource({
      ...basic(wrong),
      debug: (m) => debug.push(m),
    });
    try {
      const error = await expectSkopeoError(source.getManifest(), 'UNAUTHORIZED');
      expect(error.message).toContain(registry.host);
      for (const text of [error.message, String((error as { hint?: string }).hint), debug.join('\n')]) {
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(Buffer.from(`${USER.username}:${wrong}`).toString('base64'));
      }
    } finally {
      await source.close();
    }
  });

  it('an identity token is exchanged by POST with grant_type=refresh_token', async () => {
    const repo = uniqueRepo('tok');
    await pushAs(
      { tls: { verify: false }, credentials: { kind: 'identity-token', token: USER.refreshToken } },
      repo,
    );
    expect(tokens.log.length).toBe(1);
    expect(tokens.log[0]).toMatchObject({ method: 'POST', grantType: 'refresh_token', who: 'refresh-token' });
    const badSource = await docker(`//${registry.host}/${repo}:v1`).newSource({
      tls: { verify: false },
      credentials: { kind: 'identity-token', token: 'not-a-refresh-token' },
    });
    try {
      const error = await expectSkopeoError(badSource.getManifest(), 'UNAUTHORIZED');
      expect(error.message).not.toContain('not-a-refresh-token');
    } finally {
      await badSource.close();
    }
  });

  it('a registry token is used as it is, without asking the token server', async () => {
    const repo = uniqueRepo('tok');
    const pushed = await pushAs(basic(), repo);
    tokens.log.length = 0;
    const token = tokens.issue([{ type: 'repository', name: repo, actions: ['pull'] }], USER.username);
    const dir = await tmp();
    const pulled = await copyImage(docker(`//${registry.host}/${repo}:v1`), oci(`${dir}/out:v1`), {
      sourceContext: { tls: { verify: false }, credentials: { kind: 'bearer', token } },
    });
    expect(pulled.digest).toBe(pushed.digest);
    expect(tokens.log).toEqual([]);
  });

  it('insufficient_scope is retried once with a new token', async () => {
    const repo = uniqueRepo('tok');
    tokens.stingyOnce.add(`repository:${repo}`);
    await pushAs(basic(), repo);
    const forRepo = tokens.log.filter((entry) => entry.scopes.includes(`repository:${repo}:pull,push`));
    expect(forRepo.length).toBe(2);
  });

  it('a cross-repository mount asks for pull on the source repository too', async () => {
    const a = uniqueRepo('tok');
    const b = uniqueRepo('tok');
    const cache = new MemoryBlobInfoCache();
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    for (const repo of [a, b]) {
      await copyImage(oci(`${dir}/layout:v1`), docker(`//${registry.host}/${repo}:v1`), {
        destinationContext: basic(),
        cache,
      });
    }
    expect(
      tokens.log.some(
        (entry) =>
          entry.scopes.includes(`repository:${b}:pull,push`) && entry.scopes.includes(`repository:${a}:pull`),
      ),
    ).toBe(true);
  });

  it('tags are listed with a pull token; the catalog with registry:catalog:*', async () => {
    const repo = uniqueRepo('tok');
    await pushAs(basic(), repo, 'one');
    await pushAs(basic(), repo, 'two');
    tokens.log.length = 0;
    const listed = await dockerTransport.listTags(docker(`//${registry.host}/${repo}`), basic());
    expect(listed.tags.sort()).toEqual(['one', 'two']);
    expect(tokens.log[0]?.scopes).toEqual([`repository:${repo}:pull`]);
    const repositories = await dockerTransport.listRepositories(`docker://${registry.host}`, basic());
    expect(repositories).toContain(repo);
    expect(tokens.log.some((entry) => entry.scopes.includes('registry:catalog:*'))).toBe(true);
  });
});
