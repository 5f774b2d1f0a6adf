// Engine hosts: parsing, where the host comes from, API version negotiation, and unreachable
// hosts (no engine needed: a socket nobody listens on, a closed TCP port).
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  hostMatches,
  knownHostsName,
  negotiateApiVersion,
  parseDaemonHost,
  parseKnownHosts,
  resolveDaemonHost,
} from '../src/index.js';
import { daemon, expectSkopeoError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('daemon hosts: parsing', () => {
  it.each([
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
    ['unix:///tmp/a b/docker.sock', { kind: 'unix', socketPath: '/tmp/a b/docker.sock' }],
    ['tcp://127.0.0.1:2376', { kind: 'tcp', scheme: 'tcp', hostname: '127.0.0.1', port: 2376 }],
    [
      'tcp://docker.example.com',
      { kind: 'tcp', scheme: 'tcp', hostname: 'docker.example.com', port: undefined },
    ],
    ['tcp://[::1]:2375', { kind: 'tcp', scheme: 'tcp', hostname: '[::1]', port: 2375 }],
    ['http://localhost:2375', { kind: 'tcp', scheme: 'http', hostname: 'localhost', port: 2375 }],
    ['https://localhost:2376/', { kind: 'tcp', scheme: 'https', hostname: 'localhost', port: 2376 }],
    [
      'ssh://me@host',
      { kind: 'ssh', user: 'me', hostname: 'host', port: 22, socketPath: '/var/run/docker.sock' },
    ],
    [
      'ssh://host:2222',
      { kind: 'ssh', user: undefined, hostname: 'host', port: 2222, socketPath: '/var/run/docker.sock' },
    ],
    [
      'ssh://me@10.0.0.1:2222/run/user/1000/podman/podman.sock',
      {
        kind: 'ssh',
        user: 'me',
        hostname: '10.0.0.1',
        port: 2222,
        socketPath: '/run/user/1000/podman/podman.sock',
      },
    ],
    [
      'ssh://me@[::1]:22/',
      { kind: 'ssh', user: 'me', hostname: '::1', port: 22, socketPath: '/var/run/docker.sock' },
    ],
  ])('%s', (text, expected) => {
    expect(parseDaemonHost(text)).toEqual({ text, ...expected });
  });

  it.each([
    ['/var/run/docker.sock', /SCHEME:\/\//],
    ['unix://', /socket path is empty/],
    ['tcp://', /host/],
    ['tcp://host:99999', /port/],
    ['tcp://host:2375/prefix', /path/],
    ['ssh://', /expected ssh:/],
    ['ssh://me:secret@host', /passwords/],
    ['ssh://@host', /user name/],
    ['npipe:////./pipe/docker_engine', /named pipes/],
    ['ftp://host', /unsupported scheme/],
  ])('refuses %s with INVALID_ARGUMENT naming the host', async (text, reason) => {
    const error = await expectSkopeoError(
      Promise.resolve().then(() => parseDaemonHost(text)),
      'INVALID_ARGUMENT',
    );
    expect(error.message).toContain(`"${text}"`);
    expect(error.message).toMatch(reason);
  });

  it('ctx.daemonHost wins over DOCKER_HOST, which wins over the default socket', () => {
    expect(resolveDaemonHost({ env: {} }).text).toBe('unix:///var/run/docker.sock');
    expect(resolveDaemonHost({ env: { DOCKER_HOST: 'tcp://10.1.1.1:2375' } }).text).toBe(
      'tcp://10.1.1.1:2375',
    );
    expect(
      resolveDaemonHost({ daemonHost: 'unix:///x.sock', env: { DOCKER_HOST: 'tcp://10.1.1.1:2375' } }).text,
    ).toBe('unix:///x.sock');
  });

  it('a bad DOCKER_HOST says it came from DOCKER_HOST', async () => {
    const error = await expectSkopeoError(
      Promise.resolve().then(() => resolveDaemonHost({ env: { DOCKER_HOST: 'bogus' } })),
      'INVALID_ARGUMENT',
    );
    expect(error.message).toContain('DOCKER_HOST');
  });
});

describe('daemon hosts: API version', () => {
  it('takes the engine version, capped to 1.41, and refuses engines older than 1.22', async () => {
    expect(negotiateApiVersion('1.41', 'h')).toBe('1.41');
    expect(negotiateApiVersion('1.43', 'h')).toBe('1.41');
    expect(negotiateApiVersion('1.30', 'h')).toBe('1.30');
    expect(negotiateApiVersion(undefined, 'h')).toBe('1.22');
    await expectSkopeoError(
      Promise.resolve().then(() => negotiateApiVersion('1.12', 'h')),
      'UNSUPPORTED',
    );
  });
});

describe('daemon hosts: known_hosts', () => {
  const key = Buffer.from('\0\0\0\x0bssh-ed25519\0\0\0\x20' + 'k'.repeat(32), 'latin1');
  const other = Buffer.from('\0\0\0\x0bssh-ed25519\0\0\0\x20' + 'o'.repeat(32), 'latin1');
  const b64 = key.toString('base64');

  it('matches plain, bracketed, wildcard and hashed names; negations exclude', () => {
    expect(knownHostsName('example.com', 22)).toBe('example.com');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(hostMatches('example.com,other', 'example.com')).toBe(true);
    expect(hostMatches('*.example.com,!bad.example.com', 'good.example.com')).toBe(true);
    expect(hostMatches('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(hostMatches('[127.0.0.1]:2222', '127.0.0.1')).toBe(false);
    // The `ssh-keygen -H` form of "[127.0.0.1]:2222".
    const salt = Buffer.from('salt-bytes-012345678');
    const hash = createHmac('sha1', salt).update('[127.0.0.1]:2222').digest('base64');
    expect(hostMatches(`|1|${salt.toString('base64')}|${hash}`, '[127.0.0.1]:2222')).toBe(true);
    expect(hostMatches(`|1|${salt.toString('base64')}|${hash}`, '[127.0.0.1]:2223')).toBe(false);
  });

  it('trusts the listed key, reports a changed or revoked key, and an unknown host', () => {
    const entries = parseKnownHosts(
      ['# comment', `[h]:2222 ssh-ed25519 ${b64}`, `@revoked [r]:2222 ssh-ed25519 ${b64}`, ''].join('\n'),
    );
    expect(checkHostKey(entries, '[h]:2222', key).kind).toBe('trusted');
    const changed = checkHostKey(entries, '[h]:2222', other);
    expect(changed.kind).toBe('changed');
    expect(changed.kind === 'changed' && changed.entries[0]?.line).toBe(2);
    expect(checkHostKey(entries, '[r]:2222', key).kind).toBe('revoked');
    expect(checkHostKey(entries, '[x]:2222', key).kind).toBe('unknown');
  });
});

describe('daemon hosts: unreachable', () => {
  it('a socket nobody listens on is an IO error naming the host', async () => {
    const host = `unix://${join(await tempDir(), 'missing.sock')}`;
    const error = await expectSkopeoError(daemon('busybox:latest').newSource({ daemonHost: host }), 'IO');
    expect(error.message).toContain(`cannot connect to the Docker daemon at ${host}`);
    await expectSkopeoError(daemon('busybox:latest').newDestination({ env: { DOCKER_HOST: host } }), 'IO');
  });

  it('a closed TCP port is an IO error naming the host', async () => {
    const host = `tcp://127.0.0.1:${await freePort()}`;
    const error = await expectSkopeoError(daemon('busybox:latest').newSource({ daemonHost: host }), 'IO');
    expect(error.message).toContain(host);
  });

  it('something that is not an engine (an HTTP server saying 404) is a clear error', async () => {
    const server = createServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const error = await expectSkopeoError(
        daemon('busybox:latest').newSource({ daemonHost: `http://127.0.0.1:${port}` }),
        'IO',
      );
      expect(error.message).toContain(`http://127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  });
});
