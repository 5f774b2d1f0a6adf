// The bundled transports: every first-party transport package of the workspace, each imported
// only when a command uses it.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundledPluginLoader, type OutputStream, VERSION } from '@skopeo-ts/cli';
import { buildOciImage, fixtures, makeTempDir, skopeoInspect, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPlugins, bundledTransportPackages, main, VERSION_INFO } from '../src/index.js';
import { pathWithNode, runChecked } from './helpers/exec.js';
import { WORKSPACE_ROOT } from './helpers/pack.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * The package.json files of the workspace's packages/: those committed, when git can tell (a
 * transport package still being written in the working tree is not part of the release until it
 * lands), else every one on disk.
 */
async function workspacePackageJsonFiles(): Promise<string[]> {
  const listed = spawnSync('git', ['ls-files', '--', 'packages/*/package.json'], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
  });
  if (listed.status === 0) {
    return listed.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((file) => join(WORKSPACE_ROOT, file));
  }
  const packagesDir = join(WORKSPACE_ROOT, 'packages');
  return (await readdir(packagesDir)).map((entry) => join(packagesDir, entry, 'package.json'));
}

/** Workspace packages that declare themselves transport plugins, by name. */
async function workspaceTransportPackages(): Promise<string[]> {
  const names: string[] = [];
  for (const file of await workspacePackageJsonFiles()) {
    let json: { name?: string; private?: boolean; 'skopeo-ts'?: unknown };
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      continue;
    }
    if (json['skopeo-ts'] !== undefined && !json.private && json.name) names.push(json.name);
  }
  return names.sort();
}

class Collect implements OutputStream {
  text = '';
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    callback?.();
    return true;
  }
}

let tmp: TempDir;
let imageReference: string;
let manifestDigest: string;

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-plugins');
  const image = await buildOciImage(join(tmp.path, 'layout'), fixtures.single(), { tag: 'v1' });
  imageReference = image.reference;
  manifestDigest = image.manifestDigest;
});

afterAll(async () => {
  await tmp?.cleanup();
});

describe('bundled transports', () => {
  it('are every first-party transport package committed in the workspace (add new ones to package.json)', async () => {
    const workspace = await workspaceTransportPackages();
    expect(workspace).toContain('@skopeo-ts/transport-oci');
    expect(bundledTransportPackages()).toEqual(workspace);
    expect(Object.keys(bundledPlugins).sort()).toEqual(workspace);
  });

  it('are not imported by the built files until used (no static import of a transport)', async () => {
    const dist = join(PACKAGE_DIR, 'dist');
    for (const file of (await readdir(dist)).filter((name) => name.endsWith('.js'))) {
      const code = await readFile(join(dist, file), 'utf8');
      expect(code, file).not.toMatch(/from\s+["']@skopeo-ts\/transport-/);
    }
  });

  it('main() imports only the transport package a command uses', async () => {
    const loaded: string[] = [];
    const spied = Object.fromEntries(
      Object.entries(bundledPlugins).map(([name, entry]) => [
        name,
        (() => {
          loaded.push(name);
          return (entry as BundledPluginLoader)();
        }) satisfies BundledPluginLoader,
      ]),
    );
    const run = async (argv: string[]) => {
      const stdout = new Collect();
      const stderr = new Collect();
      const status = await main(argv, {
        bundledPlugins: spied,
        stdout,
        stderr,
        env: { PATH: process.env.PATH, HOME: tmp.path, XDG_CONFIG_HOME: join(tmp.path, '.config') },
        cwd: tmp.path,
        homeDir: tmp.path,
      });
      expect(status, stderr.text).toBe(0);
      return stdout.text;
    };

    const rows = JSON.parse(await run(['plugins', '--format', 'json'])) as {
      transport: string;
      package: string;
      source: string;
      active: boolean;
    }[];
    expect(loaded).toEqual([]);
    for (const transport of ['oci', 'oci-archive', 'dir']) {
      // Once: the bundled package is also in this package's node_modules, where the scan finds
      // it through pnpm's symlink; it is the same directory, not a second, shadowed package.
      expect(
        rows.filter((row) => row.transport === transport),
        transport,
      ).toEqual([expect.objectContaining({ source: 'bundled', active: true })]);
    }

    const inspected = JSON.parse(await run(['inspect', imageReference])) as { Digest: string };
    expect(inspected.Digest).toBe(manifestDigest);
    expect(loaded).toEqual(['@skopeo-ts/transport-oci']);
  });
});

describe('--version', () => {
  it("prints this package's version, then the CLI's", async () => {
    const own = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
    const expected = `skopeo-ts version ${own.version} (@skopeo-ts/cli ${VERSION})\n`;
    expect(VERSION_INFO).toEqual({ name: 'skopeo-ts', version: own.version });
    const stdout = new Collect();
    expect(await main(['--version'], { stdout, stderr: new Collect() })).toBe(0);
    expect(stdout.text).toBe(expected);
    for (const args of [['--version'], ['--debug', '-v']]) {
      const result = await runChecked(process.execPath, [join(PACKAGE_DIR, 'dist', 'cli.js'), ...args], {
        cwd: tmp.path,
        env: { PATH: pathWithNode(), HOME: tmp.path, XDG_CONFIG_HOME: join(tmp.path, '.config') },
      });
      expect(result.stdout, args.join(' ')).toBe(expected);
    }
  });
});

describe('the built bin', () => {
  it('copies oci: → dir: with the bundled transports, and skopeo reads the result', async () => {
    const dir = join(tmp.path, 'copied');
    const home = join(tmp.path, 'home');
    const result = await runChecked(
      process.execPath,
      [join(PACKAGE_DIR, 'dist', 'cli.js'), 'copy', imageReference, `dir:${dir}`],
      { cwd: tmp.path, env: { PATH: pathWithNode(), HOME: home, XDG_CONFIG_HOME: join(home, '.config') } },
    );
    expect(result.stdout).toBe('');
    expect((await skopeoInspect(`dir:${dir}`, { raw: true })).digest).toBe(manifestDigest);
  });
});
