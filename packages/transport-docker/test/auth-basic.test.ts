// htpasswd Basic auth on a real docker-registry: the right credentials work (and skopeo reads
// what we push), missing or wrong ones fail with UNAUTHORIZED naming the registry and never the
// password, and debug output shows "Authorization: [redacted]".
import { type Context, copyImage } from '@skopeo-ts/core';
import {
  buildOciImage,
  fixtures,
  type HtpasswdRegistry,
  skopeoInspect,
  startHtpasswdRegistry,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTransport } from '../src/index.js';
import { docker, expectSkopeoError, uniqueRepo, useTempDirs } from './helpers.js';

const USER = 'alice';
const PASSWORD = 'correct-horse-battery-4711';
const WRONG = 'wrong-password-0815';

let registry: HtpasswdRegistry;

beforeAll(async () => {
  registry = await startHtpasswdRegistry({ users: { [USER]: PASSWORD } });
});

afterAll(async () => {
  await registry?.stop();
});

const tmp = useTempDirs();
const oci = (rest: string) => ociTransport.parseReference(rest);
const ctx = (password: string | undefined, extra: Partial<Context> = {}): Context => ({
  tls: { verify: false },
  ...(password === undefined ? {} : { credentials: { kind: 'basic', username: USER, password } }),
  ...extra,
});

function expectNoSecret(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(WRONG);
  expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  expect(text).not.toContain(Buffer.from(`${USER}:${WRONG}`).toString('base64'));
}

describe('htpasswd Basic auth', () => {
  it('pushes and pulls with the right credentials; skopeo --creds reads the same digest', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const ref = `//${registry.host}/${uniqueRepo('basic')}:v1`;
    const debug: string[] = [];
    const pushed = await copyImage(oci(`${dir}/layout:v1`), docker(ref), {
      destinationContext: ctx(PASSWORD, { debug: (m) => debug.push(m) }),
    });
    const raw = await skopeoInspect(`docker:${ref}`, {
      raw: true,
      extraArgs: ['--tls-verify=false', '--creds', `${USER}:${PASSWORD}`],
    });
    expect(raw.digest).toBe(pushed.digest);
    const pulled = await copyImage(docker(ref), oci(`${dir}/back:v1`), { sourceContext: ctx(PASSWORD) });
    expect(pulled.digest).toBe(pushed.digest);
    const tags = await dockerTransport.listTags(docker(ref), ctx(PASSWORD));
    expect(tags.tags).toEqual(['v1']);
    const log = debug.join('\n');
    expect(log).toContain('Authorization: [redacted]');
    expectNoSecret(log);
  });

  it('without credentials: UNAUTHORIZED naming the registry', async () => {
    const source = await docker(`//${registry.host}/${uniqueRepo('basic')}:v1`).newSource(ctx(undefined));
    try {
      const error = await expectSkopeoError(source.getManifest(), 'UNAUTHORIZED');
      expect(error.message).toContain(registry.host);
    } finally {
      await source.close();
    }
  });

  it('a wrong password: UNAUTHORIZED, and neither the message, the hint nor the debug log holds a secret', async () => {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.single(), { tag: 'v1' });
    const debug: string[] = [];
    const error = await expectSkopeoError(
      copyImage(oci(`${dir}/layout:v1`), docker(`//${registry.host}/${uniqueRepo('basic')}:v1`), {
        destinationContext: ctx(WRONG, { debug: (m) => debug.push(m) }),
      }),
      'UNAUTHORIZED',
    );
    expect(error.message).toContain(registry.host);
    expectNoSecret(error.message);
    expectNoSecret(String((error as { hint?: string }).hint ?? ''));
    expectNoSecret(JSON.stringify(error, Object.getOwnPropertyNames(error)));
    expectNoSecret(debug.join('\n'));
  });

  it('noCredentials ignores the credentials given', async () => {
    const source = await docker(`//${registry.host}/${uniqueRepo('basic')}:v1`).newSource(
      ctx(PASSWORD, { noCredentials: true }),
    );
    try {
      await expectSkopeoError(source.getManifest(), 'UNAUTHORIZED');
    } finally {
      await source.close();
    }
  });
});
