import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSkopeoError } from '@skopeo-ts/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigEnvironment, configEnvironment } from './environment.js';
import {
  assertNotBlocked,
  findRegistry,
  loadRegistriesConf,
  mergeRegistriesConf,
  parseRegistriesConf,
  pullSources,
  type RegistriesConf,
  refMatchingPrefix,
  registriesConfSearch,
} from './registries-conf.js';

const conf = (text: string, file = '/etc/containers/registries.conf'): RegistriesConf =>
  mergeRegistriesConf([parseRegistriesConf(text, file)]);

function failure(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('parseRegistriesConf', () => {
  it('reads [[registry]] tables, mirrors and the top-level settings', () => {
    const parsed = parseRegistriesConf(
      `
unqualified-search-registries = ["registry.fedoraproject.org", "quay.io/"]
credential-helpers = ["containers-auth.json", "pass"]
short-name-mode = "enforcing"

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"

[[registry]]
location = "example.com/"
insecure = true

[[registry]]
prefix = "docker.io/library"
location = "internal.example/dockerhub/library"
mirror-by-digest-only = true

[[registry.mirror]]
location = "mirror-a.example/lib"

[[registry.mirror]]
location = "mirror-b.example:5000/lib"
insecure = true

[[registry]]
prefix = "*.blocked.example"
blocked = true
`,
      '/x/registries.conf',
    );
    expect(parsed.unqualifiedSearchRegistries).toEqual(['registry.fedoraproject.org', 'quay.io']);
    expect(parsed.credentialHelpers).toEqual(['containers-auth.json', 'pass']);
    expect(parsed.shortNameMode).toBe('enforcing');
    expect(parsed.aliases).toEqual({ fedora: 'registry.fedoraproject.org/fedora' });
    expect(parsed.registries).toEqual([
      {
        prefix: '*.blocked.example',
        location: '',
        insecure: false,
        blocked: true,
        mirrorByDigestOnly: false,
        mirrors: [],
        source: '/x/registries.conf',
      },
      {
        prefix: 'docker.io/library',
        location: 'internal.example/dockerhub/library',
        insecure: false,
        blocked: false,
        mirrorByDigestOnly: true,
        mirrors: [
          { location: 'mirror-a.example/lib', insecure: false, pullFromMirror: undefined },
          { location: 'mirror-b.example:5000/lib', insecure: true, pullFromMirror: undefined },
        ],
        source: '/x/registries.conf',
      },
      {
        prefix: 'example.com',
        location: 'example.com',
        insecure: true,
        blocked: false,
        mirrorByDigestOnly: false,
        mirrors: [],
        source: '/x/registries.conf',
      },
    ]);
  });

  it('keeps the first of two entries with one prefix', () => {
    const parsed = parseRegistriesConf(
      '[[registry]]\nlocation = "a.example"\n[[registry]]\nprefix = "a.example"\nlocation = "b.example"\n',
      'f',
    );
    expect(parsed.registries.map((r) => r.location)).toEqual(['a.example']);
  });

  it.each([
    ['a URL location', '[[registry]]\nlocation = "https://a.example"', /URI schemes are not supported/],
    ['neither prefix nor location', '[[registry]]\ninsecure = true', /both location and prefix are unset/],
    ['a non-wildcard prefix without location', '[[registry]]\nprefix = "a.example"', /location is unset/],
    ['a wildcard with a path', '[[registry]]\nprefix = "*.a.example/ns"', /wildcarded prefix/i],
    [
      'pull-from-mirror on the registry',
      '[[registry]]\nlocation = "a"\npull-from-mirror = "all"',
      /non-mirror/,
    ],
    [
      'an unknown pull-from-mirror',
      '[[registry]]\nlocation = "a"\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "sometimes"',
      /unsupported pull-from-mirror value "sometimes"/,
    ],
    [
      'mirror-by-digest-only with pull-from-mirror',
      '[[registry]]\nlocation = "a"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "all"',
      /at the same time/,
    ],
    [
      'a mirror without location',
      '[[registry]]\nlocation = "a"\n[[registry.mirror]]\ninsecure = true',
      /mirror location is unset/,
    ],
    [
      'conflicting insecure for one location',
      '[[registry]]\nprefix = "x.example"\nlocation = "a.example"\ninsecure = true\n[[registry]]\nlocation = "a.example"',
      /"a.example" is defined multiple times with conflicting 'insecure'/,
    ],
    [
      'a wrongly typed value',
      '[[registry]]\nlocation = "a"\ninsecure = "yes"',
      /insecure must be true or false/,
    ],
    [
      'a bad search registry',
      'unqualified-search-registries = ["not a host"]',
      /unqualified-search-registries entry/,
    ],
    ['a bad short-name-mode', 'short-name-mode = "sometimes"', /invalid short-name mode/],
  ])('refuses %s, naming the file', (_name, text, message) => {
    const error = failure(() => parseRegistriesConf(text, '/conf/bad.conf'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('/conf/bad.conf');
    expect(error.message).toMatch(message);
  });

  it('refuses TOML syntax errors as CORRUPT, naming the file', () => {
    const error = failure(() => parseRegistriesConf('[[registry]\nlocation = ', '/conf/broken.conf'));
    expect(isSkopeoError(error, 'CORRUPT')).toBe(true);
    expect(error.message).toContain('/conf/broken.conf');
  });

  it('refuses the v1 format with a clear error naming the file', () => {
    const error = failure(() =>
      parseRegistriesConf(
        '[registries.search]\nregistries = ["docker.io"]\n',
        '/etc/containers/registries.conf',
      ),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      'loading registries configuration /etc/containers/registries.conf: registries.conf must be in v2 format but is in v1',
    );
    expect((error as { hint?: string }).hint).toMatch(/\[\[registry\]\]/);
    expect(() => parseRegistriesConf('[registries.block]\nregistries = []\n', 'f')).toThrow(/v1/);
  });
});

describe('prefix matching', () => {
  it.each([
    ['example.com/ns/repo:tag', 'example.com', 11],
    ['example.com/ns/repo', 'example.com/ns', 14],
    ['example.com/nsx/repo', 'example.com/ns', -1],
    ['example.com', 'example.com', 11],
    ['example.com:5000/repo', 'example.com', 11],
    ['example.community/repo', 'example.com', -1],
    ['a.example.com/repo', '*.example.com', 13],
    ['a.b.example.com:5000/repo', '*.example.com', 15],
    ['example.com/repo', '*.example.com', -1],
    ['other.com/x.example.com/repo', '*.example.com', -1],
    ['a.example.comx/repo', '*.example.com', -1],
  ])('refMatchingPrefix(%s, %s) = %d', (ref, prefix, expected) => {
    expect(refMatchingPrefix(ref, prefix)).toBe(expected);
  });

  it('the longest matching prefix wins', () => {
    const registries = conf(`
[[registry]]
location = "example.com"
[[registry]]
prefix = "example.com/ns"
location = "ns.example"
[[registry]]
prefix = "example.com/ns/deep"
location = "deep.example"
[[registry]]
prefix = "*.example.com"
location = ""
insecure = true
`);
    expect(findRegistry(registries, 'example.com/ns/deep/repo')?.location).toBe('deep.example');
    expect(findRegistry(registries, 'example.com/ns/repo')?.location).toBe('ns.example');
    expect(findRegistry(registries, 'example.com/other')?.location).toBe('example.com');
    expect(findRegistry(registries, 'sub.example.com/repo')?.insecure).toBe(true);
    expect(findRegistry(registries, 'quay.io/repo')).toBeUndefined();
  });
});

describe('pullSources', () => {
  const mirrored = conf(`
[[registry]]
prefix = "docker.io/library"
location = "internal.example/hub/library"
insecure = true

[[registry.mirror]]
location = "mirror-1.example/lib"

[[registry.mirror]]
location = "mirror-2.example/lib"
insecure = true
pull-from-mirror = "digest-only"

[[registry.mirror]]
location = "mirror-3.example/lib"
pull-from-mirror = "tag-only"
`);
  const digest = `sha256:${'a'.repeat(64)}`;

  it('lists the mirrors in order, then the registry, with the location rewrite', () => {
    const sources = pullSources(mirrored, 'busybox:1.36');
    expect(
      sources.map((s) => [s.reference.toString(), s.insecure, s.isMirror, s.explicitCredentialsAllowed]),
    ).toEqual([
      ['mirror-1.example/lib/busybox:1.36', false, true, false],
      ['mirror-3.example/lib/busybox:1.36', false, true, false],
      ['internal.example/hub/library/busybox:1.36', true, false, false],
    ]);
    expect(sources[0]).toMatchObject({
      endpointHost: 'mirror-1.example',
      repositoryRewritten: 'lib/busybox',
    });
  });

  it('uses digest-only mirrors for digests and tag-only ones for tags', () => {
    expect(pullSources(mirrored, `busybox@${digest}`).map((s) => s.reference.toString())).toEqual([
      `mirror-1.example/lib/busybox@${digest}`,
      `mirror-2.example/lib/busybox@${digest}`,
      `internal.example/hub/library/busybox@${digest}`,
    ]);
  });

  it('mirror-by-digest-only keeps mirrors for digests only', () => {
    const byDigest = conf(`
[[registry]]
location = "quay.io"
mirror-by-digest-only = true
[[registry.mirror]]
location = "mirror.example"
`);
    expect(pullSources(byDigest, 'quay.io/ns/app:v1').map((s) => s.endpointHost)).toEqual(['quay.io']);
    expect(pullSources(byDigest, `quay.io/ns/app@${digest}`).map((s) => s.endpointHost)).toEqual([
      'mirror.example',
      'quay.io',
    ]);
  });

  it('without an entry, pulls the reference itself; a wildcard keeps the reference', () => {
    expect(pullSources(conf(''), 'quay.io/ns/app:v1')).toEqual([
      expect.objectContaining({
        endpointHost: 'quay.io',
        repositoryRewritten: 'ns/app',
        insecure: false,
        isMirror: false,
        explicitCredentialsAllowed: true,
      }),
    ]);
    const wildcard = conf('[[registry]]\nprefix = "*.corp.example"\ninsecure = true\n');
    expect(pullSources(wildcard, 'reg.corp.example/app:v1')).toEqual([
      expect.objectContaining({
        endpointHost: 'reg.corp.example',
        repositoryRewritten: 'app',
        insecure: true,
      }),
    ]);
  });

  it('a blocked registry is DENIED, naming the registry and the file', () => {
    const blocked = conf(
      '[[registry]]\nlocation = "evil.example"\nblocked = true\n',
      '/etc/containers/registries.conf',
    );
    const error = failure(() => pullSources(blocked, 'evil.example/app:v1'));
    expect(isSkopeoError(error, 'DENIED')).toBe(true);
    expect(error.message).toBe('registry evil.example is blocked in /etc/containers/registries.conf');
    expect(() => assertNotBlocked(blocked, 'evil.example/app')).toThrow(/evil.example is blocked/);
    expect(() => assertNotBlocked(blocked, 'good.example/app')).not.toThrow();
  });

  it('a blocked registry stays reachable through its mirrors (as containers/image)', () => {
    const blocked = conf(`
[[registry]]
location = "docker.io"
blocked = true
[[registry.mirror]]
location = "mirror.example"
`);
    expect(pullSources(blocked, 'busybox:latest').map((s) => s.reference.toString())).toEqual([
      'mirror.example/library/busybox:latest',
    ]);
  });
});

describe('files on disk', () => {
  let tmp: string;
  let home: string;
  let root: string;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'registries-conf-'));
    home = path.join(tmp, 'home');
    root = path.join(tmp, 'root');
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  function environment(env: Record<string, string> = {}, uid = 1000): ConfigEnvironment {
    return configEnvironment(undefined, {
      env,
      homeDir: home,
      systemRoot: root,
      uid,
      debug: () => undefined,
    });
  }

  async function put(file: string, text: string): Promise<string> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    return file;
  }

  it('searches the user file, /etc, /usr/share; drop-ins of each, rootless ones by uid', () => {
    const userFile = path.join(home, '.config/containers/registries.conf');
    expect(registriesConfSearch({ environment: environment() })).toEqual({
      mainFiles: [
        userFile,
        path.join(root, 'etc/containers/registries.conf'),
        path.join(root, 'usr/share/containers/registries.conf'),
      ],
      mainMustExist: false,
      dropInDirs: [
        `${userFile}.d`,
        path.join(root, 'etc/containers/registries.conf.d'),
        path.join(root, 'etc/containers/registries.rootless.conf.d'),
        path.join(root, 'etc/containers/registries.rootless.conf.d/1000'),
        path.join(root, 'usr/share/containers/registries.conf.d'),
        path.join(root, 'usr/share/containers/registries.rootless.conf.d'),
        path.join(root, 'usr/share/containers/registries.rootless.conf.d/1000'),
      ],
      overrideFile: undefined,
    });
    expect(registriesConfSearch({ environment: environment({}, 0) }).dropInDirs).toContain(
      path.join(root, 'etc/containers/registries.rootful.conf.d'),
    );
    expect(registriesConfSearch({ environment: environment({ XDG_CONFIG_HOME: '/xdg' }) }).mainFiles[0]).toBe(
      '/xdg/containers/registries.conf',
    );
  });

  it.each([
    ['--registries-conf', '/opt/r.conf', {}, true],
    [
      '--registries-conf over the environment',
      '/opt/r.conf',
      { CONTAINERS_REGISTRIES_CONF: '/env.conf' },
      true,
    ],
    [
      'CONTAINERS_REGISTRIES_CONF (then no drop-ins)',
      undefined,
      { CONTAINERS_REGISTRIES_CONF: '/env.conf' },
      false,
    ],
  ])('%s is the main file and must exist', (_name, registriesConf, env, dropIns) => {
    const search = registriesConfSearch({ registriesConf, environment: environment(env) });
    expect(search.mainFiles).toEqual([registriesConf ?? '/env.conf']);
    expect(search.mainMustExist).toBe(true);
    expect(search.dropInDirs.length > 0).toBe(dropIns);
  });

  it('reads the first existing main file, then drop-ins by name, later ones overriding', async () => {
    await put(
      path.join(root, 'usr/share/containers/registries.conf'),
      'unqualified-search-registries = ["vendor.example"]',
    );
    const etc = await put(
      path.join(root, 'etc/containers/registries.conf'),
      `unqualified-search-registries = ["etc.example"]
[[registry]]
location = "a.example"
[[registry]]
location = "b.example"
`,
    );
    const etcDropIns = path.join(root, 'etc/containers/registries.conf.d');
    const userDropIns = path.join(home, '.config/containers/registries.conf.d');
    const first = await put(
      path.join(etcDropIns, '10-first.conf'),
      '[[registry]]\nlocation = "a.example"\ninsecure = true\n',
    );
    // The same name in the user's directory hides the one in /etc.
    await put(path.join(etcDropIns, '20-shadowed.conf'), 'credential-helpers = ["etc-helper"]\n');
    const shadowing = await put(
      path.join(userDropIns, '20-shadowed.conf'),
      'credential-helpers = ["user-helper"]\n',
    );
    const last = await put(
      path.join(root, 'usr/share/containers/registries.conf.d/30-last.conf'),
      'unqualified-search-registries = []\n[[registry]]\nlocation = "a.example"\nblocked = true\n',
    );
    await put(path.join(etcDropIns, 'ignored.txt'), 'not toml [');
    await fs.mkdir(path.join(etcDropIns, 'sub.conf'));

    const loaded = await loadRegistriesConf({ environment: environment() });
    expect(loaded.files).toEqual([etc, first, shadowing, last]);
    expect(loaded.credentialHelpers).toEqual(['user-helper']);
    expect(loaded.registries.map((r) => [r.location, r.insecure, r.blocked, r.source])).toEqual([
      ['a.example', false, true, last],
      ['b.example', false, false, etc],
    ]);
    expect(loaded.unqualifiedSearchRegistries).toEqual([]);
    expect(loaded.unqualifiedSearchRegistriesOrigin).toBe(last);
  });

  it('prefers the user file over /etc and reads nothing when there is nothing', async () => {
    expect(await loadRegistriesConf({ environment: environment() })).toMatchObject({
      registries: [],
      files: [],
      credentialHelpers: ['containers-auth.json'],
    });
    await put(path.join(root, 'etc/containers/registries.conf'), '[[registry]]\nlocation = "etc.example"\n');
    const user = await put(
      path.join(home, '.config/containers/registries.conf'),
      '[[registry]]\nlocation = "user.example"\n',
    );
    const loaded = await loadRegistriesConf({ environment: environment() });
    expect(loaded.files).toEqual([user]);
    expect(loaded.registries.map((r) => r.location)).toEqual(['user.example']);
  });

  it('CONTAINERS_REGISTRIES_CONF skips drop-ins; the override file comes last', async () => {
    const main = await put(path.join(tmp, 'env.conf'), '[[registry]]\nlocation = "a.example"\n');
    await put(
      path.join(root, 'etc/containers/registries.conf.d/x.conf'),
      '[[registry]]\nlocation = "dropin.example"\n',
    );
    const override = await put(
      path.join(tmp, 'override.conf'),
      '[[registry]]\nlocation = "a.example"\ninsecure = true\n',
    );
    const loaded = await loadRegistriesConf({
      environment: environment({
        CONTAINERS_REGISTRIES_CONF: main,
        CONTAINERS_REGISTRIES_CONF_OVERRIDE: override,
      }),
    });
    expect(loaded.files).toEqual([main, override]);
    expect(loaded.registries.map((r) => [r.location, r.insecure])).toEqual([['a.example', true]]);
  });

  it('an explicit file that does not exist is an error; ctx.registriesConf is honoured', async () => {
    await expect(
      loadRegistriesConf({
        ctx: { registriesConf: path.join(tmp, 'missing.conf') },
        environment: environment(),
      }),
    ).rejects.toThrow(/missing\.conf/);
    const file = await put(
      path.join(tmp, 'r.conf'),
      '[[registry]]\nlocation = "x.example"\nblocked = true\n',
    );
    const loaded = await loadRegistriesConf({ ctx: { registriesConf: file }, environment: environment() });
    expect(() => assertNotBlocked(loaded, 'x.example/app')).toThrow(
      `registry x.example is blocked in ${file}`,
    );
  });

  it('a v1 drop-in is refused, naming it', async () => {
    const dropIn = await put(
      path.join(root, 'etc/containers/registries.conf.d/old.conf'),
      '[registries.insecure]\nregistries = ["a.example"]\n',
    );
    await expect(loadRegistriesConf({ environment: environment() })).rejects.toThrow(
      `${dropIn}: registries.conf must be in v2 format`,
    );
  });
});
