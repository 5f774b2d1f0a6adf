// The registry commands against real docker-registry instances (testkit), compared with skopeo
// 1.9.3: list-tags (byte for byte), inspect docker:// (with RepoTags), login/logout with an
// htpasswd registry (auth file 0600, wrong password, --get-login, --password-stdin), an
// authenticated push with the file login wrote, list-repos with a filter, exit 2 for a missing image.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BuiltImage,
  buildOciImage,
  fixtures,
  makeTempDir,
  requirePeer,
  type RunningRegistry,
  runSkopeo,
  runSkopeoChecked,
  startRegistry,
  type TempDir,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from './helpers/run-cli.js';

const USER = 'alice';
const PASSWORD = 'correct-horse-battery-4711';
const WRONG = 'wrong-password-0815';
const TAGS = ['v1', 'latest', '2.0', 'a_b', 'Z-9'];

let tmp: TempDir;
let plain: RunningRegistry;
let secured: RunningRegistry;
let image: BuiltImage;

async function writeHtpasswd(dir: string): Promise<string> {
  const htpasswd = requirePeer('htpasswd', 'apache2-utils');
  const line = execFileSync(htpasswd, ['-Bbn', USER, PASSWORD], { encoding: 'utf8' }).trim();
  const path = join(dir, 'htpasswd');
  await writeFile(path, `${line}\n`);
  return path;
}

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-cli-registry');
  image = await buildOciImage(join(tmp.path, 'layout'), fixtures.single(), { tag: 'v1' });
  plain = await startRegistry();
  secured = await startRegistry({
    config: { auth: { htpasswd: { realm: 'skopeo-ts-test', path: await writeHtpasswd(tmp.path) } } },
  });
  for (const tag of TAGS) {
    await runSkopeoChecked([
      'copy',
      '-q',
      '--dest-tls-verify=false',
      image.reference,
      `docker://${plain.host}/team/app:${tag}`,
    ]);
  }
  await runSkopeoChecked([
    'copy',
    '-q',
    '--dest-tls-verify=false',
    image.reference,
    `docker://${plain.host}/other/tool:1`,
  ]);
}, 120_000);

afterAll(async () => {
  await plain?.stop();
  await secured?.stop();
  await tmp?.cleanup();
});

const cli = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) =>
  runCli(args, { cwd: tmp.path, ...options });

function expectNoSecret(result: CliResult): void {
  for (const text of [result.stdout, result.stderr]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  }
}

/** The registry may list tags in any order: compare with the tags sorted on both sides. */
function sortedTags(text: string): string {
  const json = JSON.parse(text) as { Repository: string; Tags: string[] };
  return `${JSON.stringify({ ...json, Tags: [...json.Tags].sort() }, null, 4)}\n`;
}

describe('list-tags', () => {
  it('prints what skopeo 1.9.3 prints, byte for byte', async () => {
    const repo = `docker://${plain.host}/team/app`;
    const ours = await cli(['list-tags', '--tls-verify=false', repo]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    const theirs = await runSkopeo(['list-tags', '--tls-verify=false', repo]);
    expect(theirs.exitCode, theirs.stderr).toBe(0);
    // Same 4-space MarshalIndent layout and trailing newline.
    expect(ours.stdout).toBe(`${JSON.stringify(JSON.parse(ours.stdout), null, 4)}\n`);
    expect(sortedTags(ours.stdout)).toBe(sortedTags(theirs.stdout));
    // docker-registry lists tags in its storage order, which is stable: the same bytes.
    expect(ours.stdout).toBe(theirs.stdout);
    expect(JSON.parse(ours.stdout).Tags.sort()).toEqual([...TAGS].sort());
  });

  it('refuses a tag or digest in the reference, as skopeo does', async () => {
    const result = await cli(['list-tags', '--tls-verify=false', `docker://${plain.host}/team/app:v1`]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('No tag or digest allowed in reference');
  });

  it('says so for a transport that cannot list tags', async () => {
    const result = await cli(['list-tags', `oci:${join(tmp.path, 'layout')}`]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('listing tags is not supported by the oci: transport');
  });
});

describe('list-repos', () => {
  it('lists the catalog, and the repositories containing a filter', async () => {
    const all = await cli(['list-repos', '--tls-verify=false', `docker://${plain.host}`]);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual({
      Registry: plain.host,
      Repositories: ['other/tool', 'team/app'],
    });
    const filtered = await cli(['list-repos', '--tls-verify=false', `docker://${plain.host}/team`]);
    expect(filtered.exitCode, filtered.stderr).toBe(0);
    expect(filtered.stdout).toBe(
      `{\n    "Registry": "${plain.host}",\n    "Repositories": [\n        "team/app"\n    ]\n}\n`,
    );
  });
});

describe('inspect docker://', () => {
  it('equals skopeo inspect on the fields 1.9.3 prints, RepoTags included', async () => {
    const ref = `docker://${plain.host}/team/app:v1`;
    const ours = await cli(['inspect', '--tls-verify=false', ref]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    const theirs = await runSkopeo(['inspect', '--tls-verify=false', ref]);
    expect(theirs.exitCode, theirs.stderr).toBe(0);
    const ourJson = JSON.parse(ours.stdout) as Record<string, unknown>;
    const theirJson = JSON.parse(theirs.stdout) as Record<string, unknown>;
    for (const [field, value] of Object.entries(theirJson)) {
      if (field === 'RepoTags') continue;
      expect(ourJson[field], field).toEqual(value);
    }
    expect((ourJson.RepoTags as string[]).sort()).toEqual((theirJson.RepoTags as string[]).sort());
    expect((ourJson.RepoTags as string[]).sort()).toEqual([...TAGS].sort());
    const noTags = await cli(['inspect', '--tls-verify=false', '--no-tags', ref]);
    expect(JSON.parse(noTags.stdout).RepoTags).toEqual([]);
  });

  it('exits 2 for an image the registry does not have', async () => {
    const result = await cli(['inspect', '--tls-verify=false', `docker://${plain.host}/team/app:missing`]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('manifest unknown');
  });
});

describe('login and logout', () => {
  it('refuses a wrong password with exit 1, a clear message and no secret', async () => {
    const authfile = join(tmp.path, 'wrong-auth.json');
    const result = await cli([
      '--debug',
      'login',
      '--tls-verify=false',
      '--authfile',
      authfile,
      '-u',
      USER,
      '-p',
      WRONG,
      secured.host,
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`authenticating creds for "${secured.host}": invalid username/password`);
    expectNoSecret(result);
    await expect(stat(authfile)).rejects.toThrow();
  });

  it('logs in (auth file 0600), pushes with it, --get-login, logs out', async () => {
    const authfile = join(tmp.path, 'auth', 'auth.json');
    const login = await cli(
      [
        '--debug',
        'login',
        '--tls-verify=false',
        '--authfile',
        authfile,
        '-u',
        USER,
        '--password-stdin',
        secured.host,
      ],
      { input: `${PASSWORD}\n` },
    );
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.stdout).toBe('Login Succeeded!\n');
    expectNoSecret(login);
    expect((await stat(authfile)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(authfile, 'utf8'));
    expect(stored.auths[secured.host].auth).toBe(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    // skopeo reads what we wrote.
    const skopeoLogin = await runSkopeo(['login', '--get-login', '--authfile', authfile, secured.host]);
    expect(skopeoLogin.stdout).toBe(`${USER}\n`);

    const getLogin = await cli(['login', '--get-login', '--authfile', authfile, secured.host]);
    expect(getLogin.exitCode, getLogin.stderr).toBe(0);
    expect(getLogin.stdout).toBe(`${USER}\n`);

    const copy = await cli([
      'copy',
      '--dest-tls-verify=false',
      '--authfile',
      authfile,
      image.reference,
      `docker://${secured.host}/private/app:v1`,
    ]);
    expect(copy.exitCode, copy.stderr).toBe(0);
    const check = await runSkopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      `${USER}:${PASSWORD}`,
      `docker://${secured.host}/private/app:v1`,
    ]);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdoutBytes.equals(image.manifestBytes)).toBe(true);

    const logout = await cli(['logout', '--authfile', authfile, secured.host]);
    expect(logout.exitCode, logout.stderr).toBe(0);
    expect(logout.stdout).toBe(`Removed login credentials for ${secured.host}\n`);
    expect(JSON.parse(await readFile(authfile, 'utf8')).auths).toEqual({});
    const again = await cli(['logout', '--authfile', authfile, secured.host]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`not logged into ${secured.host}`);
    const gone = await cli(['login', '--get-login', '--authfile', authfile, secured.host]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain(`not logged into ${secured.host}`);
  });

  it('writes to $XDG_RUNTIME_DIR/containers/auth.json by default; logout --all empties it', async () => {
    const runtimeDir = join(tmp.path, 'run');
    await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
    const env = { XDG_RUNTIME_DIR: runtimeDir };
    const login = await cli(['login', '--tls-verify=false', '-u', USER, '-p', PASSWORD, secured.host], {
      env,
    });
    expect(login.exitCode, login.stderr).toBe(0);
    const file = join(runtimeDir, 'containers', 'auth.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const all = await cli(['logout', '--all'], { env });
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stdout).toBe('Removed login credentials for all registries\n');
    expect(JSON.parse(await readFile(file, 'utf8')).auths).toEqual({});
  });

  it('checks its flags as skopeo does', async () => {
    const stdinNoUser = await cli(['login', '--password-stdin', secured.host], { input: 'x\n' });
    expect(stdinNoUser.exitCode).toBe(1);
    expect(stdinNoUser.stderr).toContain('Must provide --username with --password-stdin');
    const both = await cli(['login', '-u', USER, '-p', 'x', '--password-stdin', secured.host], {
      input: 'x',
    });
    expect(both.stderr).toContain("Can't specify both --password-stdin and --password");
    const none = await cli(['logout']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('please provide a registry to logout from');
    const allWithName = await cli(['logout', '--all', secured.host]);
    expect(allWithName.stderr).toContain('--all takes no arguments');
  });
});
