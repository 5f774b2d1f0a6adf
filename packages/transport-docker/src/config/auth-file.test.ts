import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSkopeoError } from '@skopeo-ts/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authFileCandidates,
  authKeyLookupOrder,
  lookupCredentials,
  normalizeAuthKey,
  primaryAuthFile,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
  validateCredentialsKey,
} from './auth-file.js';
import { type ConfigEnvironment, configEnvironment } from './environment.js';

let tmp: string;
let home: string;
let root: string;
let binDir: string;
let helperLog: string;
let debugLines: string[];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function environment(env: Record<string, string> = {}, uid = 1000): ConfigEnvironment {
  return configEnvironment(undefined, {
    env: { PATH: `${binDir}:/usr/bin:/bin`, HELPER_LOG: helperLog, ...env },
    homeDir: home,
    systemRoot: root,
    uid,
    debug: (line) => debugLines.push(line),
  });
}

async function writeJson(file: string, value: unknown): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

// A credential helper speaking the docker-credential-helpers protocol, logging each call.
const HELPER_SCRIPT = `#!/bin/sh
action="$1"
input=$(cat)
printf '%s %s\\n' "$action" "$input" >> "$HELPER_LOG"
case "$action" in
get)
  case "$input" in
    registry.example) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-pass"}' "$input" ;;
    token.example) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-token"}' "$input" ;;
    https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hub-user","Secret":"hub-pass"}' "$input" ;;
    broken.example) echo "keychain is locked"; exit 1 ;;
    *) echo "credentials not found in native keychain"; exit 1 ;;
  esac ;;
store) exit 0 ;;
erase)
  case "$input" in
    registry.example) exit 0 ;;
    *) echo "credentials not found in native keychain"; exit 1 ;;
  esac ;;
*) exit 2 ;;
esac
`;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'auth-file-'));
  home = path.join(tmp, 'home');
  root = path.join(tmp, 'root');
  binDir = path.join(tmp, 'bin');
  helperLog = path.join(tmp, 'helper.log');
  debugLines = [];
  await fs.mkdir(home, { recursive: true });
  await fs.mkdir(binDir, { recursive: true });
  await fs.writeFile(path.join(binDir, 'docker-credential-test'), HELPER_SCRIPT, { mode: 0o755 });
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('authFileCandidates', () => {
  it('searches runtime dir, XDG config, docker config, legacy dockercfg, in that order', async () => {
    const runtime = path.join(tmp, 'runtime');
    await fs.mkdir(runtime);
    expect(authFileCandidates({ environment: environment({ XDG_RUNTIME_DIR: runtime }) })).toEqual([
      { path: path.join(runtime, 'containers/auth.json'), legacyFormat: false },
      { path: path.join(home, '.config/containers/auth.json'), legacyFormat: false },
      { path: path.join(home, '.docker/config.json'), legacyFormat: false },
      { path: path.join(home, '.dockercfg'), legacyFormat: true },
    ]);
  });

  it('uses /run/containers/UID/auth.json when XDG_RUNTIME_DIR is unset (root and non-root alike)', () => {
    for (const uid of [0, 1000]) {
      const [first] = authFileCandidates({ environment: environment({}, uid) });
      expect(first).toEqual({
        path: path.join(root, `run/containers/${uid}/auth.json`),
        legacyFormat: false,
      });
    }
  });

  it('skips a runtime dir that does not exist, with a debug note', () => {
    const missing = path.join(tmp, 'no-such-runtime');
    const candidates = authFileCandidates({ environment: environment({ XDG_RUNTIME_DIR: missing }) });
    expect(candidates.map((c) => c.path)).toEqual([
      path.join(home, '.config/containers/auth.json'),
      path.join(home, '.docker/config.json'),
      path.join(home, '.dockercfg'),
    ]);
    expect(debugLines.join('\n')).toContain(missing);
    expect(() => primaryAuthFile({ environment: environment({ XDG_RUNTIME_DIR: missing }) })).toThrow(
      /XDG_RUNTIME_DIR does not exist/,
    );
  });

  it('follows XDG_CONFIG_HOME and DOCKER_CONFIG', () => {
    const candidates = authFileCandidates({
      environment: environment({ XDG_CONFIG_HOME: '/cfg', DOCKER_CONFIG: '/dockercfg-dir' }),
    });
    expect(candidates.map((c) => c.path).slice(1)).toEqual([
      '/cfg/containers/auth.json',
      '/dockercfg-dir/config.json',
      path.join(home, '.dockercfg'),
    ]);
  });

  it.each([
    ['--authfile alone', { authFile: '/a.json' }, {}, '/a.json'],
    ['REGISTRY_AUTH_FILE alone', {}, { REGISTRY_AUTH_FILE: '/env.json' }, '/env.json'],
    [
      '--authfile over REGISTRY_AUTH_FILE',
      { authFile: '/a.json' },
      { REGISTRY_AUTH_FILE: '/env.json' },
      '/a.json',
    ],
  ])('an explicit file is the only one searched: %s', (_name, options, env, expected) => {
    expect(authFileCandidates({ ...options, environment: environment(env) })).toEqual([
      { path: expected, legacyFormat: false },
    ]);
    expect(primaryAuthFile({ ...options, environment: environment(env) })).toEqual({
      path: expected,
      explicit: true,
    });
  });
});

describe('keys', () => {
  it.each([
    ['docker.io', false, 'index.docker.io'],
    ['registry-1.docker.io', false, 'index.docker.io'],
    ['index.docker.io', false, 'index.docker.io'],
    ['https://index.docker.io/v1/', false, 'index.docker.io'],
    ['http://myregistry.com:5000/v2/', false, 'myregistry.com:5000'],
    ['https://quay.io', false, 'quay.io'],
    ['quay.io/ns/repo', false, 'quay.io/ns/repo'],
    ['quay.io/ns/repo', true, 'quay.io'],
    ['localhost:5000', false, 'localhost:5000'],
  ])('normalizeAuthKey(%s, legacy=%s) = %s', (key, legacy, expected) => {
    expect(normalizeAuthKey(key, legacy)).toBe(expected);
  });

  it('looks up the most specific key first', () => {
    expect(authKeyLookupOrder('quay.io/ns/sub/repo', 'quay.io')).toEqual([
      'quay.io/ns/sub/repo',
      'quay.io/ns/sub',
      'quay.io/ns',
      'quay.io',
    ]);
    expect(authKeyLookupOrder('quay.io/ns/repo', 'quay.io', true)).toEqual(['quay.io']);
  });

  it.each([
    ['quay.io', false],
    ['localhost:5000/ns/repo', true],
  ])('accepts %s', (key, namespaced) => {
    expect(validateCredentialsKey(key)).toEqual({ namespaced });
  });

  it.each(['https://quay.io', 'quay.io/repo@sha256:abc', 'quay.io/repo:tag', ''])('refuses %j', (key) => {
    expect(() => validateCredentialsKey(key)).toThrow(/invalid credentials key/);
  });
});

describe('lookupCredentials from auth files', () => {
  const lookup = (
    registry: string,
    repository: string | undefined,
    env: Record<string, string> = {},
    authFile?: string,
  ) =>
    lookupCredentials({
      registry,
      repository,
      ctx: authFile === undefined ? {} : { authFile },
      environment: environment(env),
    });

  it('prefers host/ns/repo over host/ns over host', async () => {
    await writeJson(path.join(home, '.config/containers/auth.json'), {
      auths: {
        'quay.io': { auth: b64('host:hpw') },
        'quay.io/ns': { auth: b64('ns:npw') },
        'quay.io/ns/repo': { auth: b64('repo:rpw') },
      },
    });
    expect(await lookup('quay.io', 'ns/repo')).toEqual({ kind: 'basic', username: 'repo', password: 'rpw' });
    expect(await lookup('quay.io', 'ns/other')).toEqual({ kind: 'basic', username: 'ns', password: 'npw' });
    expect(await lookup('quay.io', 'elsewhere/x')).toEqual({
      kind: 'basic',
      username: 'host',
      password: 'hpw',
    });
    expect(await lookup('quay.io', undefined)).toEqual({ kind: 'basic', username: 'host', password: 'hpw' });
    expect(await lookup('quay.io:443', 'ns/repo')).toBeUndefined();
  });

  it('takes the first file that has credentials, in search order', async () => {
    const runtime = path.join(tmp, 'runtime');
    await writeJson(path.join(runtime, 'containers/auth.json'), {
      auths: { 'a.example': { auth: b64('runtime:1') } },
    });
    await writeJson(path.join(home, '.config/containers/auth.json'), {
      auths: { 'a.example': { auth: b64('config:2') }, 'b.example': { auth: b64('config:3') } },
    });
    await writeJson(path.join(home, '.docker/config.json'), {
      auths: { 'b.example': { auth: b64('docker:4') }, 'c.example': { auth: b64('docker:5') } },
    });
    await writeJson(path.join(home, '.dockercfg'), {
      'https://d.example/v1/': { auth: b64('legacy:6'), email: 'x@example.com' },
    });
    const env = { XDG_RUNTIME_DIR: runtime };
    expect(await lookup('a.example', 'r', env)).toMatchObject({ username: 'runtime' });
    expect(await lookup('b.example', 'r', env)).toMatchObject({ username: 'config' });
    expect(await lookup('c.example', 'r', env)).toMatchObject({ username: 'docker' });
    expect(await lookup('d.example', 'r', env)).toMatchObject({ username: 'legacy' });
    expect(await lookup('e.example', 'r', env)).toBeUndefined();
  });

  it('with an explicit auth file, reads nothing else', async () => {
    await writeJson(path.join(home, '.docker/config.json'), {
      auths: { 'a.example': { auth: b64('docker:1') } },
    });
    const explicit = await writeJson(path.join(tmp, 'explicit.json'), {
      auths: { 'b.example': { auth: b64('explicit:2') } },
    });
    expect(await lookup('a.example', 'r', {}, explicit)).toBeUndefined();
    expect(await lookup('b.example', 'r', {}, explicit)).toMatchObject({ username: 'explicit' });
    expect(await lookup('a.example', 'r', { REGISTRY_AUTH_FILE: explicit })).toBeUndefined();
    // A missing explicit file just has no credentials.
    expect(await lookup('a.example', 'r', {}, path.join(tmp, 'missing.json'))).toBeUndefined();
  });

  it('finds Docker Hub under its legacy URL key, and URL-style keys of other registries', async () => {
    await writeJson(path.join(home, '.docker/config.json'), {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
        'https://registry.example:5000/v2/': { auth: b64('reg:pw') },
      },
    });
    expect(await lookup('docker.io', 'library/busybox')).toMatchObject({ username: 'hub' });
    expect(await lookup('registry.example:5000', 'x/y')).toMatchObject({ username: 'reg' });
  });

  it('reads identity tokens, passwords with colons, NUL padding; skips empty markers', async () => {
    await writeJson(path.join(home, '.config/containers/auth.json'), {
      auths: {
        'token.example': { auth: b64('user:'), identitytoken: 'refresh-me' },
        'only-token.example': { identitytoken: 'refresh-2' },
        'colon.example': { auth: b64('user:pa:ss\0\0') },
        'marker.example/ns': {},
        'marker.example': { auth: b64('fallback:pw') },
      },
    });
    expect(await lookup('token.example', 'r')).toEqual({ kind: 'identity-token', token: 'refresh-me' });
    expect(await lookup('only-token.example', 'r')).toEqual({ kind: 'identity-token', token: 'refresh-2' });
    expect(await lookup('colon.example', 'r')).toEqual({
      kind: 'basic',
      username: 'user',
      password: 'pa:ss',
    });
    expect(await lookup('marker.example', 'ns/r')).toMatchObject({ username: 'fallback' });
  });

  it('refuses a damaged file, naming it and never quoting the secret', async () => {
    const file = await writeJson(path.join(home, '.config/containers/auth.json'), '{"auths": {');
    const error = await lookup('a.example', 'r').catch((e: unknown) => e);
    expect(isSkopeoError(error, 'CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(file);

    await writeJson(file, { auths: { 'a.example': { auth: 'not base64!secret' } } });
    const bad = await lookup('a.example', 'r').catch((e: unknown) => e);
    expect(isSkopeoError(bad, 'CORRUPT')).toBe(true);
    expect((bad as Error).message).toContain('"a.example"');
    expect((bad as Error).message).not.toContain('secret');
  });

  it('--no-creds and explicit credentials win over every file', async () => {
    await writeJson(path.join(home, '.config/containers/auth.json'), {
      auths: { 'a.example': { auth: b64('f:1') } },
    });
    const env = environment();
    expect(
      await lookupCredentials({
        registry: 'a.example',
        repository: 'r',
        ctx: { noCredentials: true },
        environment: env,
      }),
    ).toBeUndefined();
    const explicit = { kind: 'basic' as const, username: 'cli', password: 'x' };
    expect(
      await lookupCredentials({
        registry: 'a.example',
        repository: 'r',
        ctx: { credentials: explicit },
        environment: env,
      }),
    ).toBe(explicit);
  });

  it('defaults its environment from the Context (env, homeDir)', async () => {
    await writeJson(path.join(home, '.config/containers/auth.json'), {
      auths: { 'a.example': { auth: b64('ctx:1') } },
    });
    const found = await lookupCredentials({
      registry: 'a.example',
      ctx: { env: { XDG_RUNTIME_DIR: path.join(tmp, 'none') }, homeDir: home },
    });
    expect(found).toMatchObject({ username: 'ctx' });
  });
});

describe('credential helpers', () => {
  const lookup = (registry: string, env: Record<string, string> = {}, credentialHelpers?: string[]) =>
    lookupCredentials({
      registry,
      repository: 'ns/repo',
      ctx: {},
      environment: environment(env),
      credentialHelpers,
    });

  it('credHelpers run docker-credential-NAME get with the registry on stdin', async () => {
    await writeJson(path.join(home, '.docker/config.json'), {
      auths: { 'registry.example': { auth: b64('ignored:x') } },
      credHelpers: { 'registry.example': 'test', 'token.example': 'test', 'none.example': 'test' },
    });
    expect(await lookup('registry.example')).toEqual({
      kind: 'basic',
      username: 'helper-user',
      password: 'helper-pass',
    });
    expect(await lookup('token.example')).toEqual({ kind: 'identity-token', token: 'refresh-token' });
    expect(await lookup('none.example')).toBeUndefined();
    expect((await fs.readFile(helperLog, 'utf8')).trim().split('\n')).toEqual([
      'get registry.example',
      'get token.example',
      'get none.example',
    ]);
  });

  it('a missing helper is an error naming the program', async () => {
    await writeJson(path.join(home, '.docker/config.json'), { credHelpers: { 'a.example': 'missing' } });
    await expect(lookup('a.example')).rejects.toThrow(/docker-credential-missing not found/);
  });

  it('a failing helper is an error with its message', async () => {
    await writeJson(path.join(home, '.docker/config.json'), { credHelpers: { 'broken.example': 'test' } });
    await expect(lookup('broken.example')).rejects.toThrow(
      /docker-credential-test get failed.*keychain is locked/,
    );
  });

  it('credsStore is the default helper, after credHelpers and auths', async () => {
    await writeJson(path.join(home, '.docker/config.json'), {
      auths: { 'https://index.docker.io/v1/': {}, 'file.example': { auth: b64('file:pw') } },
      credHelpers: { 'token.example': 'test' },
      credsStore: 'test',
    });
    // Docker Hub goes to the store under Docker's server URL.
    expect(await lookup('docker.io')).toEqual({ kind: 'basic', username: 'hub-user', password: 'hub-pass' });
    expect(await lookup('registry.example')).toMatchObject({ username: 'helper-user' });
    expect(await lookup('file.example')).toMatchObject({ username: 'file' });
    expect(await lookup('token.example')).toEqual({ kind: 'identity-token', token: 'refresh-token' });
    expect(await lookup('other.example')).toBeUndefined();
    expect((await fs.readFile(helperLog, 'utf8')).trim().split('\n')).toEqual([
      'get https://index.docker.io/v1/',
      'get registry.example',
      'get token.example',
      'get other.example',
    ]);
  });

  it('a credsStore whose program is gone is skipped (public pulls keep working)', async () => {
    await writeJson(path.join(home, '.docker/config.json'), { credsStore: 'desktop' });
    expect(await lookup('a.example')).toBeUndefined();
    expect(debugLines.join('\n')).toMatch(/docker-credential-desktop not found/);
  });

  it('follows registries.conf credential-helpers, in order', async () => {
    await writeJson(path.join(home, '.config/containers/auth.json'), {
      auths: { 'registry.example': { auth: b64('file:pw') } },
    });
    expect(await lookup('registry.example', {}, ['test'])).toMatchObject({ username: 'helper-user' });
    expect(await lookup('registry.example', {}, ['containers-auth.json', 'test'])).toMatchObject({
      username: 'file',
    });
    // A failing helper is reported only when nothing else had credentials.
    expect(await lookup('registry.example', {}, ['missing', 'containers-auth.json'])).toMatchObject({
      username: 'file',
    });
    await expect(lookup('nothing.example', {}, ['missing', 'containers-auth.json'])).rejects.toThrow(
      /docker-credential-missing/,
    );
  });
});

describe('storing and removing credentials', () => {
  it('writes atomically with mode 0600 in new 0700 directories, keeping other keys', async () => {
    const file = path.join(tmp, 'new/dir/auth.json');
    expect(await storeCredentials(file, 'quay.io', 'me', 'pw')).toBe(file);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(tmp, 'new'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      auths: { 'quay.io': { auth: b64('me:pw') } },
    });

    await writeJson(file, {
      auths: { 'quay.io': { auth: b64('old:x'), identitytoken: 't' }, 'other.example': { auth: b64('o:p') } },
      credHelpers: { 'helper.example': 'test' },
      HttpHeaders: { 'X-Custom': '1' },
    });
    await fs.chmod(file, 0o644);
    await storeCredentials(file, 'quay.io', 'me', 'new');
    await storeCredentials(file, 'quay.io/ns/repo', 'ns', 'pw');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      auths: {
        'quay.io': { auth: b64('me:new') },
        'other.example': { auth: b64('o:p') },
        'quay.io/ns/repo': { auth: b64('ns:pw') },
      },
      credHelpers: { 'helper.example': 'test' },
      HttpHeaders: { 'X-Custom': '1' },
    });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.readdir(path.dirname(file))).sort()).toEqual(['auth.json']);
  });

  it('stores through the credHelpers entry of the registry', async () => {
    const file = await writeJson(path.join(tmp, 'auth.json'), {
      credHelpers: { 'registry.example': 'test' },
    });
    const env = environment();
    expect(await storeCredentials(file, 'registry.example', 'u', 'p', { environment: env })).toBe(
      'credential helper: test',
    );
    expect(await fs.readFile(helperLog, 'utf8')).toBe(
      'store {"ServerURL":"registry.example","Username":"u","Secret":"p"}\n',
    );
    await expect(
      storeCredentials(file, 'registry.example/ns', 'u', 'p', { environment: env }),
    ).rejects.toThrow(/namespaced key/);
  });

  it('removes one key, telling whether anything was there', async () => {
    const file = await writeJson(path.join(tmp, 'auth.json'), {
      auths: { 'a.example': { auth: b64('a:1') }, 'b.example': { auth: b64('b:2') } },
      credHelpers: { 'registry.example': 'test' },
    });
    const env = { environment: environment() };
    expect(await removeCredentials(file, 'a.example', env)).toBe(true);
    expect(await removeCredentials(file, 'a.example', env)).toBe(false);
    expect(await removeCredentials(file, 'registry.example', env)).toBe(true);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      auths: { 'b.example': { auth: b64('b:2') } },
      credHelpers: { 'registry.example': 'test' },
    });
    expect(await removeCredentials(path.join(tmp, 'missing.json'), 'a.example', env)).toBe(false);
  });

  it('removes everything for logout --all', async () => {
    const file = await writeJson(path.join(tmp, 'auth.json'), {
      auths: { 'a.example': { auth: b64('a:1') } },
      credHelpers: { 'registry.example': 'test' },
      other: true,
    });
    await removeAllCredentials(file, { environment: environment() });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      auths: {},
      credHelpers: { 'registry.example': 'test' },
      other: true,
    });
    expect(await fs.readFile(helperLog, 'utf8')).toBe('erase registry.example\n');
    await removeAllCredentials(path.join(tmp, 'missing.json'));
    await expect(fs.access(path.join(tmp, 'missing.json'))).rejects.toThrow();
  });
});
