// The pure parts: references and policy scopes, WWW-Authenticate, Link and Content-Range
// headers, Retry-After, error mapping and redaction, upload Location checks, token expiry.
import { Readable } from 'node:stream';
import { isSkopeoError } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import {
  apiHost,
  dockerTransport,
  nextLink,
  parseChallenges,
  parseContentRange,
  parseRegistryLocation,
  parseScope,
  retryAfterMs,
  uploadLocation,
} from '../src/index.js';
import { Authenticator, mergeScope, type TokenSender } from '../src/client/auth.js';
import { redact, registryError } from '../src/client/errors.js';
import { resolveSettings } from '../src/client/settings.js';
import { docker } from './helpers.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('references', () => {
  it.each([
    ['//busybox', 'docker://busybox:latest', 'docker.io/library/busybox:latest'],
    ['//docker.io/library/busybox:1.36', 'docker://busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['//index.docker.io/user/app', 'docker://user/app:latest', 'docker.io/user/app:latest'],
    ['//quay.io/org/app:v1', 'docker://quay.io/org/app:v1', 'quay.io/org/app:v1'],
    [
      `//127.0.0.1:5000/a/b@${DIGEST}`,
      `docker://127.0.0.1:5000/a/b@${DIGEST}`,
      `127.0.0.1:5000/a/b@${DIGEST}`,
    ],
    ['//localhost/app', 'docker://localhost/app:latest', 'localhost/app:latest'],
  ])('%s prints as %s with policy identity %s', (input, printed, identity) => {
    const ref = docker(input);
    expect(ref.toString()).toBe(printed);
    expect(`docker:${ref.withinTransport}`).toBe(printed);
    expect(ref.policyIdentity()).toBe(identity);
    expect(docker(ref.withinTransport).toString()).toBe(printed);
  });

  it('refuses what skopeo refuses', () => {
    for (const bad of ['busybox', '//Busybox', '//busybox:tag@' + DIGEST, '//a/b:', `//${'a'.repeat(64)}`]) {
      expect(() => docker(bad), bad).toThrow(/invalid reference|docker references|must start/i);
    }
  });

  it('policy namespaces go from the repository to wildcard domains, as containers/image', () => {
    expect(docker('//example.com:5000/ns/repo:tag').policyNamespaces()).toEqual([
      'example.com:5000/ns/repo',
      'example.com:5000/ns',
      'example.com:5000',
      '*.com',
    ]);
    expect(docker('//busybox').policyNamespaces()).toEqual([
      'docker.io/library/busybox',
      'docker.io/library',
      'docker.io',
      '*.io',
    ]);
    expect(docker('//sub.example.co.uk/a').policyNamespaces()).toEqual([
      'sub.example.co.uk/a',
      'sub.example.co.uk',
      '*.example.co.uk',
      '*.co.uk',
      '*.uk',
    ]);
  });

  it('docker.io is reached at registry-1.docker.io', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('quay.io')).toBe('quay.io');
  });

  it('registry locations for the catalog', () => {
    expect(parseRegistryLocation('docker://127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(parseRegistryLocation('//quay.io/')).toBe('quay.io');
    expect(parseRegistryLocation('localhost')).toBe('localhost');
    expect(parseRegistryLocation('index.docker.io')).toBe('docker.io');
    expect(() => parseRegistryLocation('docker://quay.io/org')).toThrow(/without a repository/);
    expect(() => parseRegistryLocation('docker://notahost')).toThrow(/not a registry host/);
  });

  it('policy scopes with white space are refused', () => {
    expect(() => dockerTransport.validatePolicyScope?.('docker.io/library')).not.toThrow();
    expect(() => dockerTransport.validatePolicyScope?.('docker.io library')).toThrow();
  });
});

describe('WWW-Authenticate', () => {
  it('parses Bearer and Basic challenges with quoted parameters', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
    expect(parseChallenges(['Basic realm="Registry Realm"'])).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(parseChallenges('Basic realm="a", Bearer realm="b",error="insufficient_scope"')).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { realm: 'b', error: 'insufficient_scope' } },
    ]);
    expect(parseChallenges('Bearer realm="with \\"quote\\""')).toEqual([
      { scheme: 'bearer', params: { realm: 'with "quote"' } },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('="x", ,')).toEqual([]);
  });

  it('merges the scopes of a challenge into ours by resource', () => {
    const ours = [{ type: 'repository', name: 'a', actions: 'pull,push' }];
    expect(mergeScope(ours, { type: 'repository', name: 'a', actions: 'push,pull' })).toEqual(ours);
    expect(mergeScope(ours, { type: 'repository', name: 'a', actions: 'delete' })).toEqual([
      { type: 'repository', name: 'a', actions: 'pull,push,delete' },
    ]);
    expect(mergeScope(ours, { type: 'repository', name: 'b', actions: 'pull' })).toEqual([
      ...ours,
      { type: 'repository', name: 'b', actions: 'pull' },
    ]);
  });

  it('parses scopes whose names hold no colon', () => {
    expect(parseScope('repository:a/b:pull,push')).toEqual({
      type: 'repository',
      name: 'a/b',
      actions: 'pull,push',
    });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: '*' });
    expect(parseScope('nonsense')).toBeUndefined();
  });
});

describe('Link, Content-Range, Retry-After', () => {
  const page = new URL('https://r.example/v2/a/tags/list?n=2');
  it('finds rel="next" and resolves it against the page', () => {
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', page)?.href).toBe(
      'https://r.example/v2/a/tags/list?n=2&last=b',
    );
    expect(nextLink('<https://r.example/p1>; rel="prev", <https://r.example/p3>; rel=next', page)?.href).toBe(
      'https://r.example/p3',
    );
    expect(nextLink('<https://r.example/p1>; rel="prev"', page)).toBeUndefined();
    expect(nextLink(undefined, page)).toBeUndefined();
  });

  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 100-199/200')).toEqual({ first: 100, last: 199, total: 200 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ first: 100, last: 199, total: -1 });
    expect(parseContentRange('bytes */200')).toBeUndefined();
    expect(parseContentRange(undefined)).toBeUndefined();
  });

  it('reads Retry-After as seconds or a date, capped at 60 s', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, 2000, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': '600' }, 2000, now)).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }, 2000, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }, 2000, now)).toBe(2000);
    expect(retryAfterMs({}, 8000, now)).toBe(8000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, 4000, now)).toBe(4000);
  });
});

describe('errors', () => {
  const body = (errors: unknown) => Buffer.from(JSON.stringify({ errors }));
  it.each([
    [401, body([{ code: 'UNAUTHORIZED', message: 'authentication required' }]), 'UNAUTHORIZED'],
    [403, body([{ code: 'DENIED', message: 'requested access to the resource is denied' }]), 'DENIED'],
    [404, body([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]), 'NOT_FOUND'],
    [404, Buffer.alloc(0), 'NOT_FOUND'],
    [400, body([{ code: 'NAME_UNKNOWN', message: 'repository name not known' }]), 'NOT_FOUND'],
    [400, body([{ code: 'MANIFEST_INVALID', message: 'manifest invalid' }]), 'INVALID_MANIFEST'],
    [400, body([{ code: 'DIGEST_INVALID', message: 'digest did not match' }]), 'DIGEST_MISMATCH'],
    [405, body([{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }]), 'UNSUPPORTED'],
    [405, Buffer.alloc(0), 'UNSUPPORTED'],
    [409, Buffer.alloc(0), 'CONFLICT'],
    [500, Buffer.from('<html>oops</html>'), 'IO'],
    [429, body([{ code: 'TOOMANYREQUESTS', message: 'rate limit' }]), 'IO'],
  ] as const)('HTTP %i %# → %s', (status, bytes, code) => {
    const error = registryError(status, bytes, 'reading manifest x in r.example/a', 'r.example');
    expect(error.code).toBe(code);
    expect(error.message).toContain('reading manifest x in r.example/a');
    expect(error.message).toContain(`HTTP ${status}`);
    if (code === 'UNAUTHORIZED') expect(error.message).toContain('r.example');
  });

  it('cuts secrets out of messages', () => {
    expect(redact('user hunter2 said hunter2', ['hunter2'])).toBe('user [redacted] said [redacted]');
    const error = registryError(
      401,
      body([{ code: 'UNAUTHORIZED', message: 'bad password hunter2' }]),
      'x',
      'r',
      ['hunter2'],
    );
    expect(error.message).not.toContain('hunter2');
  });
});

describe('upload Locations', () => {
  const base = new URL('https://registry.example:5000');
  const response = (location: string | undefined) => ({
    status: 202,
    headers: location === undefined ? {} : { location },
    body: Readable.from([]),
    url: new URL('https://registry.example:5000/v2/a/blobs/uploads/'),
  });
  it('accepts relative and same-origin absolute Locations', () => {
    expect(uploadLocation(response('/v2/a/blobs/uploads/u1?_state=x'), base, 'w').href).toBe(
      'https://registry.example:5000/v2/a/blobs/uploads/u1?_state=x',
    );
    expect(
      uploadLocation(response('https://registry.example:5000/v2/a/blobs/uploads/u2'), base, 'w').pathname,
    ).toBe('/v2/a/blobs/uploads/u2');
  });
  it.each([
    'https://evil.example/v2/a/blobs/uploads/u',
    'http://registry.example:5000/v2/a/blobs/uploads/u',
    'https://registry.example:5001/v2/a/blobs/uploads/u',
    'file:///etc/passwd',
    'gopher://registry.example:5000/x',
  ])('refuses %s', (location) => {
    let caught: unknown;
    try {
      uploadLocation(response(location), base, 'uploading');
    } catch (error) {
      caught = error;
    }
    expect(isSkopeoError(caught, 'IO')).toBe(true);
    expect((caught as Error).message).toMatch(/refusing/);
  });
  it('needs a Location', () => {
    expect(() => uploadLocation(response(undefined), base, 'uploading')).toThrow(/without a Location/);
  });
});

describe('tokens', () => {
  function tokenServer(expiresIn: number): { send: TokenSender; calls: () => number } {
    let calls = 0;
    return {
      calls: () => calls,
      send: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return {
          status: 200,
          headers: {},
          body: Readable.from([
            Buffer.from(JSON.stringify({ access_token: `t${calls}`, expires_in: expiresIn })),
          ]),
          url: new URL('https://auth.example/token'),
        };
      },
    };
  }

  it('caches a token for at least 60 s even when the server says less, then fetches anew', async () => {
    let now = 1_000_000;
    const server = tokenServer(5);
    const auth = new Authenticator({
      registry: 'r.example',
      credentials: async () => undefined,
      send: server.send,
      clientId: 'test',
      now: () => now,
    });
    auth.setChallenges(parseChallenges('Bearer realm="https://auth.example/token",service="s"'));
    const scopes = [{ type: 'repository', name: 'a', actions: 'pull' }];
    expect(await auth.authorization(scopes)).toBe('Bearer t1');
    now += 30_000;
    expect(await auth.authorization(scopes)).toBe('Bearer t1');
    now += 30_000;
    expect(await auth.authorization(scopes)).toBe('Bearer t2');
    expect(server.calls()).toBe(2);
  });

  it('shares one fetch among concurrent requests and keeps one entry per scope set', async () => {
    const server = tokenServer(300);
    const auth = new Authenticator({
      registry: 'r',
      credentials: async () => undefined,
      send: server.send,
      clientId: 'test',
    });
    auth.setChallenges(parseChallenges('Bearer realm="https://auth.example/token"'));
    const pull = [{ type: 'repository', name: 'a', actions: 'pull' }];
    const push = [{ type: 'repository', name: 'a', actions: 'pull,push' }];
    const results = await Promise.all([...Array(8)].map(() => auth.authorization(pull)));
    expect(new Set(results)).toEqual(new Set(['Bearer t1']));
    expect(await auth.authorization(push)).toBe('Bearer t2');
    expect(await auth.authorization([...pull].reverse())).toBe('Bearer t1');
    expect(server.calls()).toBe(2);
  });
});

describe('token answers', () => {
  it('over 1 MiB are refused', async () => {
    const auth = new Authenticator({
      registry: 'r.example',
      credentials: async () => undefined,
      clientId: 'test',
      send: async () => ({
        status: 200,
        headers: {},
        body: Readable.from([Buffer.from('{"token":"'), Buffer.alloc(1024 * 1024, 0x61), Buffer.from('"}')]),
        url: new URL('https://auth.example/token'),
      }),
    });
    auth.setChallenges(parseChallenges('Bearer realm="https://auth.example/token"'));
    await expect(
      auth.authorization([{ type: 'repository', name: 'a', actions: 'pull' }]),
    ).rejects.toMatchObject({
      code: 'MANIFEST_TOO_LARGE',
    });
  });
});

describe('settings', () => {
  it('default to the context alone', async () => {
    const settings = resolveSettings({
      credentials: { kind: 'basic', username: 'u', password: 'p' },
      tls: { verify: false },
    });
    expect(await settings.credentials.forRegistry('r', 'a')).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    });
    expect(await settings.tls.forRegistry('r')).toEqual({ verify: false });
    expect(await settings.endpoints.pullEndpoints(docker('//r.example/a').dockerReference)).toEqual([
      { location: 'r.example', repository: 'a', insecure: true },
    ]);
    const noCreds = resolveSettings({
      credentials: { kind: 'basic', username: 'u', password: 'p' },
      noCredentials: true,
    });
    expect(await noCreds.credentials.forRegistry('r', 'a')).toBeUndefined();
    expect(await noCreds.tls.forRegistry('r')).toEqual({ verify: true });
  });
});
