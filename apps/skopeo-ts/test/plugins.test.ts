// The bundled transports: every first-party transport package of the workspace, each imported
// only when a command uses it.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundledPluginLoader, OutputStream } from '@skopeo-ts/cli';
import { buildOciImage, fixtures, makeTempDir, skopeoInspect, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPlugins, bundledTransportPackages, main } from '../src/index.js';
import { pathWithNode, runChecked } from './helpers/exec.js';
import { WORKSPACE_ROOT } from './helpers/pack.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Workspace packages that declare themselves transport plugins, by name. */
async function workspaceTransportPackages(): Promise<string[]> {
  const names: string[] = [];
  const packagesDir = join(WORKSPACE_ROOT, 'packages');
  for (const entry of await readdir(packagesDir)) {
    let json: { name?: string; private?: boolean; 'skopeo-ts'?: unknown };
    try {
      json = JSON.parse(await readFile(join(packagesDir, entry, 'package.json'), 'utf8'));
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
  it('are every first-party transport package of the workspace (add new ones to package.json)', async () => {
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
      expect(rows.find((row) => row.transport === transport && row.active)?.source, transport).toBe(
        'bundled',
      );
    }

    const inspected = JSON.parse(await run(['inspect', imageReference])) as { Digest: string };
    expect(inspected.Digest).toBe(manifestDigest);
    expect(loaded).toEqual(['@skopeo-ts/transport-oci']);
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
