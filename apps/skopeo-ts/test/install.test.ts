// Real installs of the packed packages with npm, as users get them, and real copies through the
// installed `skopeo-ts` bin, checked with skopeo:
//
// 1. `npm install -g --prefix A` of the tarballs of @skopeo-ts/core, @skopeo-ts/cli,
//    @skopeo-ts/transport-oci and the example plugin skopeo-ts-transport-memory in ONE command
//    (@skopeo-ts/* are not on the public registry: npm must find each in the same command).
//    The CLI finds transport-oci (first-party) and skopeo-ts-transport-memory (name convention)
//    beside its own install: oci: → memory: → oci:.
// 2. `npm install -g --prefix B skopeo-ts.tgz`, with @skopeo-ts/* served by a registry on
//    loopback (everything else comes from the usual registry): the batteries-included package
//    as `npm install -g skopeo-ts` lays it out, its dependencies nested under it and its own bin.
//    oci: → dir: → oci-archive:. Then a plugin installed later, in a second npm install (its peer
//    @skopeo-ts/core fetched from the loopback registry), is found beside skopeo-ts.
//
// Workspace packages the packed ones depend on (found from their package.json, transitively) are
// packed too and installed or served with them.
//
// npm needs the npm registry for the packages' own dependencies (commander, tar-stream, ...).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BuiltImage,
  buildOciImage,
  fixtures,
  makeTempDir,
  type SkopeoInspectOutput,
  skopeoCopy,
  skopeoInspect,
  type TempDir,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecResult, packageManagerEnv, pathWithNode, run, runChecked } from './helpers/exec.js';
import { type PackedPackage, packWorkspacePackage, WORKSPACE_ROOT, workspaceRanges } from './helpers/pack.js';
import { type LocalRegistry, startLocalRegistry } from './helpers/registry.js';

/** Workspace directories of the packages packed, by package name. */
const PACKAGE_DIRS = {
  '@skopeo-ts/core': 'packages/core',
  '@skopeo-ts/cli': 'apps/cli',
  '@skopeo-ts/transport-oci': 'packages/transport-oci',
  '@skopeo-ts/transport-dir': 'packages/transport-dir',
  '@skopeo-ts/transport-docker': 'packages/transport-docker',
  '@skopeo-ts/transport-docker-archive': 'packages/transport-docker-archive',
  '@skopeo-ts/transport-docker-daemon': 'packages/transport-docker-daemon',
  '@skopeo-ts/transport-containers-storage': 'packages/transport-containers-storage',
  'skopeo-ts': 'apps/skopeo-ts',
  'skopeo-ts-transport-memory': 'examples/transport-memory',
} as const;
type PackageName = keyof typeof PACKAGE_DIRS;

interface PluginRow {
  transport: string;
  package: string;
  version: string;
  apiVersion: number | null;
  source: string;
  location: string;
  active: boolean;
  problem: string | null;
}

let tmp: TempDir;
let packed: Record<PackageName, PackedPackage>;
/**
 * Workspace packages packed only because a packed package depends on them (e.g. a helper package
 * a transport uses), by name: they are installed alongside, as they would be from the registry.
 */
let internalDependencies: Map<string, PackedPackage>;
let image: BuiltImage;

/**
 * The fixture has an uncompressed layer, which OCI destinations compress unless told otherwise
 * (as skopeo's do): with this flag every copy keeps every digest.
 */
const KEEP_LAYERS = '--dest-oci-accept-uncompressed-layers';

function tarball(name: PackageName): string {
  return packed[name].tarball;
}

/** `@skopeo-ts/*` packages a packed package.json depends on (dependencies and peers). */
function workspaceDependencyNames(pkg: PackedPackage): string[] {
  const names: string[] = [];
  for (const field of ['dependencies', 'peerDependencies']) {
    const ranges = (pkg.packageJson[field] ?? {}) as Record<string, string>;
    names.push(...Object.keys(ranges).filter((name) => name.startsWith('@skopeo-ts/')));
  }
  return names;
}

/** Workspace package directories (packages/, apps/, examples/, tooling/) by package name. */
async function workspacePackageDirs(): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const parent of ['packages', 'apps', 'examples', 'tooling']) {
    for (const entry of await readdir(join(WORKSPACE_ROOT, parent))) {
      try {
        const json = JSON.parse(await readFile(join(WORKSPACE_ROOT, parent, entry, 'package.json'), 'utf8'));
        if (typeof json.name === 'string') dirs.set(json.name, `${parent}/${entry}`);
      } catch {
        // not a package
      }
    }
  }
  return dirs;
}

/** Packs the workspace packages the packed ones depend on and are not packed yet, transitively. */
async function packInternalDependencies(destination: string): Promise<Map<string, PackedPackage>> {
  const dirs = await workspacePackageDirs();
  const all = new Map<string, PackedPackage>(Object.values(packed).map((pkg) => [pkg.name, pkg]));
  const extra = new Map<string, PackedPackage>();
  const queue = [...all.values()];
  while (queue.length > 0) {
    const pkg = queue.shift() as PackedPackage;
    for (const name of workspaceDependencyNames(pkg)) {
      if (all.has(name)) continue;
      const dir = dirs.get(name);
      if (dir === undefined) throw new Error(`${pkg.name} depends on ${name}, which is not in the workspace`);
      const dependency = await packWorkspacePackage(dir, destination);
      all.set(name, dependency);
      extra.set(name, dependency);
      queue.push(dependency);
    }
  }
  return extra;
}

/** The internal dependencies `names` need, transitively: tarballs to install or serve with them. */
function internalDependenciesOf(names: readonly PackageName[]): PackedPackage[] {
  const found = new Map<string, PackedPackage>();
  const queue: PackedPackage[] = names.map((name) => packed[name]);
  while (queue.length > 0) {
    const pkg = queue.shift() as PackedPackage;
    for (const name of workspaceDependencyNames(pkg)) {
      const dependency = internalDependencies.get(name);
      if (dependency === undefined || found.has(name)) continue;
      found.set(name, dependency);
      queue.push(dependency);
    }
  }
  return [...found.values()];
}

/** npm's global config file as this machine has it, before `--prefix` moves it. */
let npmGlobalConfig: string;

/**
 * `npm install -g --prefix PREFIX ...args`, needing no network but the npm registry. npm looks
 * for its global config in `PREFIX/etc/npmrc`: `--globalconfig` keeps the machine's (where, e.g.,
 * the CA file for the registry is set). `--loglevel http` shows every request if it fails.
 */
function npmInstallGlobal(prefix: string, args: readonly string[]): Promise<ExecResult> {
  return runChecked(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--globalconfig',
      npmGlobalConfig,
      '--no-audit',
      '--no-fund',
      '--loglevel',
      'http',
      ...args,
    ],
    { cwd: tmp.path, env: packageManagerEnv() },
  );
}

/** Runs an installed `PREFIX/bin/skopeo-ts` in a clean environment (no user config or plugins). */
function skopeoTs(prefix: string, args: readonly string[]): Promise<ExecResult> {
  const home = join(tmp.path, 'home');
  return run(join(prefix, 'bin', 'skopeo-ts'), args, {
    cwd: join(tmp.path, 'work'),
    env: {
      PATH: pathWithNode(),
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      TMPDIR: process.env.TMPDIR ?? '/tmp',
      LANG: 'C.UTF-8',
      SKOPEO_TS_MEMORY_DIR: join(tmp.path, 'memory-store'),
    },
  });
}

async function skopeoTsChecked(prefix: string, args: readonly string[]): Promise<ExecResult> {
  const result = await skopeoTs(prefix, args);
  if (result.exitCode !== 0) {
    throw new Error(
      `${result.command} exited with ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

async function pluginRows(prefix: string): Promise<PluginRow[]> {
  return JSON.parse((await skopeoTsChecked(prefix, ['plugins', '--format', 'json'])).stdout) as PluginRow[];
}

function activeRow(rows: readonly PluginRow[], transport: string): PluginRow | undefined {
  return rows.find((row) => row.transport === transport && row.active);
}

/** skopeo reads `reference` whole (every blob verified) and sees the fixture's digests. */
async function expectSkopeoSeesFixture(reference: string): Promise<void> {
  const raw = await skopeoInspect(reference, { raw: true });
  expect(raw.digest, `manifest digest of ${reference}`).toBe(image.manifestDigest);
  const inspected = await skopeoInspect<SkopeoInspectOutput>(reference);
  expect(inspected.json.Digest).toBe(image.manifestDigest);
  expect(inspected.json.Layers).toEqual(image.layerDigests);
  // A copy verifies every blob against its digest.
  const check = join(tmp.path, 'skopeo-check', String(Math.random()).slice(2));
  await skopeoCopy(reference, `dir:${check}`);
}

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-install');
  npmGlobalConfig = (
    await runChecked('npm', ['config', 'get', 'globalconfig'], { cwd: tmp.path, env: packageManagerEnv() })
  ).stdout.trim();
  const tarballs = join(tmp.path, 'tarballs');
  for (const dir of ['tarballs', 'work', 'home', 'skopeo-check']) await mkdir(join(tmp.path, dir));
  const entries: [PackageName, PackedPackage][] = [];
  // One at a time: pnpm pack of each is quick, and they share the destination directory.
  for (const [name, dir] of Object.entries(PACKAGE_DIRS) as [PackageName, string][]) {
    entries.push([name, await packWorkspacePackage(dir, tarballs)]);
  }
  packed = Object.fromEntries(entries) as Record<PackageName, PackedPackage>;
  internalDependencies = await packInternalDependencies(tarballs);
  image = await buildOciImage(join(tmp.path, 'fixture'), fixtures.multiLayer(), { tag: 'v1' });
});

afterAll(async () => {
  await tmp?.cleanup();
});

describe('the packed packages', () => {
  it('have no workspace: range left, and carry dist/, README.md and package.json', () => {
    for (const [name, pkg] of Object.entries(packed)) {
      expect(pkg.name).toBe(name);
      expect(workspaceRanges(pkg.packageJson), `${name}: workspace: ranges left`).toEqual([]);
      expect(pkg.files, name).toEqual(expect.arrayContaining(['package.json', 'dist/index.js']));
      expect(
        pkg.files.filter((file) => file.startsWith('src/') || file.startsWith('test/')),
        name,
      ).toEqual([]);
    }
  });

  it('skopeo-ts and the example plugin carry their README', () => {
    expect(packed['skopeo-ts'].files).toContain('README.md');
    expect(packed['skopeo-ts-transport-memory'].files).toContain('README.md');
  });

  it('skopeo-ts depends on the CLI, core and every transport at their current versions', () => {
    const caret = (name: PackageName) => `^${packed[name].version}`;
    expect(packed['skopeo-ts'].packageJson.dependencies).toEqual({
      '@skopeo-ts/cli': caret('@skopeo-ts/cli'),
      '@skopeo-ts/core': caret('@skopeo-ts/core'),
      '@skopeo-ts/transport-containers-storage': caret('@skopeo-ts/transport-containers-storage'),
      '@skopeo-ts/transport-dir': caret('@skopeo-ts/transport-dir'),
      '@skopeo-ts/transport-docker': caret('@skopeo-ts/transport-docker'),
      '@skopeo-ts/transport-docker-archive': caret('@skopeo-ts/transport-docker-archive'),
      '@skopeo-ts/transport-docker-daemon': caret('@skopeo-ts/transport-docker-daemon'),
      '@skopeo-ts/transport-oci': caret('@skopeo-ts/transport-oci'),
    });
    expect(packed['skopeo-ts'].packageJson.bin).toEqual({ 'skopeo-ts': './dist/cli.js' });
  });

  it('the example plugin peers on core at its current version and declares its transport', () => {
    const memory = packed['skopeo-ts-transport-memory'].packageJson;
    expect(memory.peerDependencies).toEqual({ '@skopeo-ts/core': `^${packed['@skopeo-ts/core'].version}` });
    expect(memory.dependencies).toBeUndefined();
    expect(memory['skopeo-ts']).toEqual({ apiVersion: 1, transports: ['memory'] });
  });
});

describe('@skopeo-ts/cli + transport-oci + a third-party plugin, from tarballs in one npm install -g', () => {
  let prefix: string;

  beforeAll(async () => {
    prefix = join(tmp.path, 'prefix-cli');
    const names = [
      '@skopeo-ts/core',
      '@skopeo-ts/cli',
      '@skopeo-ts/transport-oci',
      'skopeo-ts-transport-memory',
    ] as const;
    await npmInstallGlobal(prefix, [
      ...names.map(tarball),
      ...internalDependenciesOf(names).map((pkg) => pkg.tarball),
    ]);
  });

  it('links the CLI bin, and finds both transport packages beside the CLI by their names', async () => {
    expect(await realpath(join(prefix, 'bin', 'skopeo-ts'))).toBe(
      await realpath(join(prefix, 'lib', 'node_modules', '@skopeo-ts', 'cli', 'dist', 'cli.js')),
    );
    const rows = await pluginRows(prefix);
    const globalModules = await realpath(join(prefix, 'lib', 'node_modules'));
    for (const transport of ['oci', 'oci-archive']) {
      expect(activeRow(rows, transport)).toMatchObject({
        package: '@skopeo-ts/transport-oci',
        version: packed['@skopeo-ts/transport-oci'].version,
        apiVersion: 1,
        source: 'cli-install',
        problem: null,
      });
    }
    const memory = activeRow(rows, 'memory');
    expect(memory).toMatchObject({
      package: 'skopeo-ts-transport-memory',
      version: packed['skopeo-ts-transport-memory'].version,
      apiVersion: 1,
      source: 'cli-install',
      problem: null,
    });
    expect(await realpath(memory?.location ?? '')).toBe(join(globalModules, 'skopeo-ts-transport-memory'));
    const table = await skopeoTsChecked(prefix, ['plugins']);
    expect(table.stdout).toMatch(/^memory\s+skopeo-ts-transport-memory\s/m);
    expect(table.stdout).toMatch(/^oci\s+@skopeo-ts\/transport-oci\s/m);
  });

  it('copies oci: → memory: → oci: through the installed bin, and skopeo reads the same image', async () => {
    await skopeoTsChecked(prefix, ['copy', image.reference, 'memory:x']);
    const inspected = JSON.parse((await skopeoTsChecked(prefix, ['inspect', 'memory:x'])).stdout) as {
      Digest: string;
      Layers: string[];
    };
    expect(inspected.Digest).toBe(image.manifestDigest);
    expect(inspected.Layers).toEqual(image.layerDigests);
    const out = join(tmp.path, 'out-cli');
    await skopeoTsChecked(prefix, ['copy', KEEP_LAYERS, 'memory:x', `oci:${out}:v1`]);
    await expectSkopeoSeesFixture(`oci:${out}:v1`);
  });

  it('a missing memory: image is exit status 2 with the image named', async () => {
    const result = await skopeoTs(prefix, ['inspect', 'memory:nothing-here']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('memory:nothing-here');
  });
});

describe('skopeo-ts (batteries included), installed with npm install -g', () => {
  let registry: LocalRegistry;
  let prefix: string;
  let registryFlag: string;

  beforeAll(async () => {
    const served = [
      '@skopeo-ts/core',
      '@skopeo-ts/cli',
      '@skopeo-ts/transport-oci',
      '@skopeo-ts/transport-dir',
      '@skopeo-ts/transport-docker',
      '@skopeo-ts/transport-docker-archive',
      '@skopeo-ts/transport-docker-daemon',
      '@skopeo-ts/transport-containers-storage',
    ] as const;
    registry = await startLocalRegistry([
      ...served.map((name) => packed[name]),
      ...internalDependenciesOf(['skopeo-ts', ...served]),
    ]);
    registryFlag = `--@skopeo-ts:registry=${registry.url}`;
    prefix = join(tmp.path, 'prefix-batteries');
    await npmInstallGlobal(prefix, [registryFlag, tarball('skopeo-ts')]);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('gets its dependencies from the registry, nested under it, and links its own bin', async () => {
    for (const name of [
      '@skopeo-ts/core',
      '@skopeo-ts/cli',
      '@skopeo-ts/transport-oci',
      '@skopeo-ts/transport-dir',
      '@skopeo-ts/transport-docker',
      '@skopeo-ts/transport-docker-archive',
      '@skopeo-ts/transport-docker-daemon',
      '@skopeo-ts/transport-containers-storage',
    ]) {
      expect(registry.requests, name).toContain(`GET /${name}`);
    }
    const packageDir = join(prefix, 'lib', 'node_modules', 'skopeo-ts');
    expect(await realpath(join(prefix, 'bin', 'skopeo-ts'))).toBe(
      await realpath(join(packageDir, 'dist', 'cli.js')),
    );
    const rows = await pluginRows(prefix);
    for (const [transport, pkg] of [
      ['oci', '@skopeo-ts/transport-oci'],
      ['oci-archive', '@skopeo-ts/transport-oci'],
      ['dir', '@skopeo-ts/transport-dir'],
      ['docker', '@skopeo-ts/transport-docker'],
      ['docker-archive', '@skopeo-ts/transport-docker-archive'],
      ['docker-daemon', '@skopeo-ts/transport-docker-daemon'],
      ['containers-storage', '@skopeo-ts/transport-containers-storage'],
    ] as const) {
      const row = activeRow(rows, transport);
      expect(row, transport).toMatchObject({ package: pkg, version: packed[pkg].version, source: 'bundled' });
      expect(await realpath(row?.location ?? ''), transport).toBe(
        await realpath(join(packageDir, 'node_modules', pkg)),
      );
      // The scan beside skopeo-ts finds the same directory: listed once, not again as shadowed.
      expect(
        rows.filter((other) => other.transport === transport),
        transport,
      ).toHaveLength(1);
    }
    expect((await skopeoTsChecked(prefix, ['plugins'])).stdout).not.toContain('shadowed');
  });

  it("--version prints skopeo-ts's version and the CLI's", async () => {
    const result = await skopeoTsChecked(prefix, ['--version']);
    expect(result.stdout).toBe(
      `skopeo-ts version ${packed['skopeo-ts'].version} (@skopeo-ts/cli ${packed['@skopeo-ts/cli'].version})\n`,
    );
  });

  it('copies oci: → dir: → oci-archive: through the installed bin, and skopeo reads the same image', async () => {
    const dir = join(tmp.path, 'out-dir');
    const archive = join(tmp.path, 'out.tar');
    await skopeoTsChecked(prefix, ['copy', image.reference, `dir:${dir}`]);
    await expectSkopeoSeesFixture(`dir:${dir}`);
    await skopeoTsChecked(prefix, ['copy', KEEP_LAYERS, `dir:${dir}`, `oci-archive:${archive}:v1`]);
    await expectSkopeoSeesFixture(`oci-archive:${archive}:v1`);
  });

  it('finds a plugin installed later, in a second npm install, beside skopeo-ts', async () => {
    const before = registry.requests.length;
    await npmInstallGlobal(prefix, [registryFlag, tarball('skopeo-ts-transport-memory')]);
    // npm reads only the named package of a global prefix, so the plugin's peer is not seen in
    // skopeo-ts's tree: it comes from the registry, and the plugin gets a core of its own.
    expect(registry.requests.slice(before)).toContain('GET /@skopeo-ts/core');
    const pluginDir = join(prefix, 'lib', 'node_modules', 'skopeo-ts-transport-memory');
    expect(existsSync(join(pluginDir, 'node_modules', '@skopeo-ts', 'core', 'package.json'))).toBe(true);
    const memory = activeRow(await pluginRows(prefix), 'memory');
    expect(memory).toMatchObject({
      package: 'skopeo-ts-transport-memory',
      source: 'cli-install',
      problem: null,
    });
    expect(await realpath(memory?.location ?? '')).toBe(await realpath(pluginDir));

    await skopeoTsChecked(prefix, ['copy', image.reference, 'memory:later']);
    const out = join(tmp.path, 'out-later');
    await skopeoTsChecked(prefix, ['copy', KEEP_LAYERS, 'memory:later', `oci:${out}:v1`]);
    await expectSkopeoSeesFixture(`oci:${out}:v1`);
  });
});
