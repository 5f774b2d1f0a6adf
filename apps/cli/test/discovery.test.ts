// Plugin discovery, run against installs laid out on disk: a copy of the built CLI in a global
// prefix (npm i -g --prefix P), fake third-party plugins beside it, in a project, in pnpm's virtual
// store, named explicitly; what is imported, what wins, what the errors say.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCliCopy, writeFakePlugin } from './helpers/install.js';
import { runCli } from './helpers/run-cli.js';

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
/** PREFIX/lib/node_modules, where `npm i -g --prefix PREFIX` installs. */
let globalModules: string;
let cli: string;
/** A project directory (with its own node_modules) and an empty one. */
let project: string;
let emptyDir: string;

async function markersIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** A directory where fake plugins note that they were imported. */
function freshMarkers(): Promise<string> {
  return mkdtemp(join(tmp.path, 'markers-'));
}

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-cli-discovery');
  globalModules = join(tmp.path, 'prefix', 'lib', 'node_modules');
  cli = await installCliCopy(globalModules);
  await writeFakePlugin(join(globalModules, 'skopeo-ts-transport-foo'), {
    name: 'skopeo-ts-transport-foo',
    transports: ['foo'],
  });
  await writeFakePlugin(join(globalModules, '@acme', 'skopeo-ts-transport-bar'), {
    name: '@acme/skopeo-ts-transport-bar',
    transports: ['bar', 'bar-archive'],
    useCore: true,
  });
  await writeFakePlugin(join(globalModules, 'skopeo-ts-transport-future'), {
    name: 'skopeo-ts-transport-future',
    transports: ['future'],
    apiVersion: 99,
  });
  // Declares version 1 in package.json but its plugin object says 7: caught after import.
  await writeFakePlugin(join(globalModules, 'skopeo-ts-transport-liar'), {
    name: 'skopeo-ts-transport-liar',
    transports: ['liar'],
    objectApiVersion: 7,
  });
  // Not a plugin: a package that only looks like one by name.
  await mkdir(join(globalModules, 'skopeo-ts-transport-notreally'), { recursive: true });
  await writeFile(
    join(globalModules, 'skopeo-ts-transport-notreally', 'package.json'),
    JSON.stringify({ name: 'skopeo-ts-transport-notreally', version: '0.0.1' }),
  );

  project = join(tmp.path, 'project');
  await writeFakePlugin(join(project, 'node_modules', 'skopeo-ts-transport-local'), {
    name: 'skopeo-ts-transport-local',
    transports: ['local'],
  });
  // Claims "foo" too: the CLI's own install comes first.
  await writeFakePlugin(join(project, 'node_modules', 'skopeo-ts-transport-foo2'), {
    name: 'skopeo-ts-transport-foo2',
    transports: ['foo'],
    label: 'project foo',
  });
  // Not found by the naming convention, only by --plugin NAME.
  await writeFakePlugin(join(project, 'node_modules', 'odd-name'), { name: 'odd-name', transports: ['odd'] });
  await mkdir(join(project, 'sub', 'dir'), { recursive: true });
  emptyDir = join(tmp.path, 'empty');
  await mkdir(emptyDir, { recursive: true });
});

afterAll(async () => {
  await tmp.cleanup();
});

describe('skopeo-ts plugins', () => {
  it('lists the transports found beside the CLI, with package, version, API version and location', async () => {
    const result = await runCli(['plugins', '--format', 'json'], { cli, cwd: emptyDir });
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as PluginRow[];
    const byTransport = new Map(rows.map((row) => [row.transport, row]));
    expect([...byTransport.keys()].sort()).toEqual(['bar', 'bar-archive', 'foo', 'future', 'liar']);
    expect(byTransport.get('foo')).toEqual({
      transport: 'foo',
      package: 'skopeo-ts-transport-foo',
      version: '1.2.3',
      apiVersion: 1,
      source: 'cli-install',
      location: join(globalModules, 'skopeo-ts-transport-foo'),
      active: true,
      problem: null,
    });
    expect(byTransport.get('bar')?.package).toBe('@acme/skopeo-ts-transport-bar');
    expect(byTransport.get('future')).toMatchObject({ apiVersion: 99, active: false });
    expect(byTransport.get('future')?.problem).toContain('plugin API version 99');
  });

  it('prints a table with the first-party transports that are not installed', async () => {
    const result = await runCli(['plugins'], { cli, cwd: emptyDir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^TRANSPORT\s+PACKAGE\s+VERSION\s+API\s+FOUND/);
    expect(result.stdout).toMatch(/foo\s+skopeo-ts-transport-foo\s+1\.2\.3\s+1\s+beside the CLI/);
    expect(result.stdout).toContain('Not installed:');
    expect(result.stdout).toMatch(/oci\s+npm install -g @skopeo-ts\/transport-oci/);
    expect(result.stdout).toMatch(/dir\s+npm install -g @skopeo-ts\/transport-dir/);
    expect(result.stdout).toMatch(/docker\s+npm install -g @skopeo-ts\/transport-docker/);
    expect(result.stdout).toMatch(/docker-archive\s+npm install -g @skopeo-ts\/transport-docker-archive/);
    expect(result.stdout).toMatch(/docker-daemon\s+npm install -g @skopeo-ts\/transport-docker-daemon/);
    // Planned packages are listed apart, with no install command.
    const planned = result.stdout.slice(result.stdout.indexOf('Planned, not available in this release:'));
    expect(result.stdout).toMatch(
      /containers-storage\s+npm install -g @skopeo-ts\/transport-containers-storage/,
    );
    expect(planned).toMatch(/^ {2}ostree\s+@skopeo-ts\/transport-ostree$/m);
    expect(planned).not.toContain('npm install');
  });

  it('adds the packages of the current project (cwd and its ancestors) after the CLI install', async () => {
    const result = await runCli(['plugins', '--format', 'json'], { cli, cwd: join(project, 'sub', 'dir') });
    const rows = JSON.parse(result.stdout) as PluginRow[];
    expect(rows.find((row) => row.transport === 'local')).toMatchObject({ source: 'project', active: true });
    const foo = rows.filter((row) => row.transport === 'foo');
    expect(foo.map((row) => [row.package, row.active])).toEqual([
      ['skopeo-ts-transport-foo', true],
      ['skopeo-ts-transport-foo2', false],
    ]);
    expect(foo[1]?.problem).toContain('shadowed by skopeo-ts-transport-foo');
    expect(rows.some((row) => row.package === 'odd-name')).toBe(false);
  });
});

describe('using a discovered plugin', () => {
  it('imports only the plugin whose transport the command uses', async () => {
    const markers = await freshMarkers();
    const result = await runCli(['inspect', 'foo:image'], {
      cli,
      cwd: join(project, 'sub'),
      env: { FAKE_PLUGIN_MARKERS: markers },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { Labels: Record<string, string>; Architecture: string };
    expect(output.Labels).toEqual({ plugin: 'skopeo-ts-transport-foo' });
    expect(output.Architecture).toBe('amd64');
    expect(await markersIn(markers)).toEqual(['skopeo-ts-transport-foo']);
  });

  it('works with plugins built with core defineTransportPlugin (another copy of core than the CLI bundles)', async () => {
    const result = await runCli(['inspect', '--format', '{{.Labels.plugin}}', 'bar-archive:x'], {
      cli,
      cwd: emptyDir,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('@acme/skopeo-ts-transport-bar\n');
  });

  it('exits 2 when a plugin reports the image is not found (a branded error from another copy of core)', async () => {
    const result = await runCli(['inspect', 'foo:missing'], { cli, cwd: emptyDir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('skopeo-ts: error: foo:missing: no such image');
  });

  it('prints UNSUPPORTED errors of delete clearly', async () => {
    const result = await runCli(['delete', 'foo:image'], { cli, cwd: emptyDir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'skopeo-ts: error: deleting images is not supported by the foo: transport',
    );
  });

  it('refuses an incompatible apiVersion from package.json before importing the package, naming both versions', async () => {
    const markers = await freshMarkers();
    const result = await runCli(['inspect', 'future:x'], {
      cli,
      cwd: emptyDir,
      env: { FAKE_PLUGIN_MARKERS: markers },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('skopeo-ts-transport-future@1.2.3');
    expect(result.stderr).toContain('plugin API version 99');
    expect(result.stderr).toContain('supports plugin API version 1');
    expect(result.stderr).toContain('skopeo-ts: hint: upgrade @skopeo-ts/cli');
    expect(await markersIn(markers)).toEqual([]);
  });

  it('checks the plugin object too (core assertCompatiblePlugin) when package.json did not tell the truth', async () => {
    const result = await runCli(['inspect', 'liar:x'], { cli, cwd: emptyDir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('implements plugin API version 7');
  });

  it('names the package to install for a missing first-party transport that is released', async () => {
    for (const [reference, packageName] of [
      ['oci:/some/layout:tag', '@skopeo-ts/transport-oci'],
      ['oci-archive:/some/file.tar', '@skopeo-ts/transport-oci'],
      ['dir:/some/dir', '@skopeo-ts/transport-dir'],
      ['docker://busybox', '@skopeo-ts/transport-docker'],
      ['docker-archive:/some/file.tar', '@skopeo-ts/transport-docker-archive'],
      ['docker-daemon:busybox:latest', '@skopeo-ts/transport-docker-daemon'],
      ['containers-storage:busybox', '@skopeo-ts/transport-containers-storage'],
    ] as const) {
      const result = await runCli(['inspect', reference], { cli, cwd: emptyDir });
      expect(result.exitCode).toBe(1);
      const transport = reference.slice(0, reference.indexOf(':'));
      expect(result.stderr).toContain(
        `skopeo-ts: error: the "${transport}" transport is provided by ${packageName}, which is not installed: npm install -g ${packageName}`,
      );
    }
  });

  it('says a planned first-party transport is not available, without sending users to npm install', async () => {
    for (const [reference, packageName] of [
      ['ostree:busybox@/ostree/repo', '@skopeo-ts/transport-ostree'],
    ] as const) {
      const result = await runCli(['inspect', reference], { cli, cwd: emptyDir });
      expect(result.exitCode).toBe(1);
      const transport = reference.slice(0, reference.indexOf(':'));
      expect(result.stderr).toContain(
        `skopeo-ts: error: the "${transport}" transport is planned (package ${packageName}) but not available in this release; installed transports: bar, bar-archive, foo, liar`,
      );
      expect(result.stderr).not.toContain('npm install');
    }
  });

  it('says a prefix is unknown and lists the installed transports', async () => {
    const result = await runCli(['copy', 'nosuch:x', 'foo:y'], { cli, cwd: emptyDir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'unknown transport "nosuch" in "nosuch:x"; installed transports: bar, bar-archive, foo, liar',
    );
    expect(result.stderr).toContain('skopeo-ts-transport-NAME');
  });

  it('passes the transport its own reference errors', async () => {
    const result = await runCli(['inspect', 'foo:bad!name'], { cli, cwd: emptyDir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('invalid reference "foo:bad!name"');
  });
});

describe('precedence', () => {
  it('a first-party package wins over a third-party one claiming the same transport, wherever found', async () => {
    // An install of its own, so that other tests' listings stay as they are.
    const modules = join(tmp.path, 'precedence-prefix', 'lib', 'node_modules');
    const ownCli = await installCliCopy(modules);
    const projectDir = join(tmp.path, 'precedence-project');
    // First-party scope, found late (in the project)...
    await writeFakePlugin(join(projectDir, 'node_modules', '@skopeo-ts', 'transport-zz'), {
      name: '@skopeo-ts/transport-zz',
      transports: ['zz'],
      label: 'first-party zz',
    });
    // ...third-party, found early (beside the CLI).
    await writeFakePlugin(join(modules, 'skopeo-ts-transport-zz'), {
      name: 'skopeo-ts-transport-zz',
      transports: ['zz'],
      label: 'third-party zz',
    });
    const result = await runCli(['--debug', 'inspect', '--format', '{{.Labels.plugin}}', 'zz:x'], {
      cli: ownCli,
      cwd: projectDir,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('first-party zz\n');
    expect(result.stderr).toContain('transport "zz" is also provided by skopeo-ts-transport-zz@1.2.3');
  });
});

describe('explicit plugins', () => {
  it('--plugin PATH uses a package outside any node_modules, and wins over an installed one', async () => {
    const elsewhere = join(tmp.path, 'elsewhere', 'my-foo');
    await writeFakePlugin(elsewhere, { name: 'my-foo', transports: ['foo', 'extra'], label: 'explicit foo' });
    const markers = await freshMarkers();
    const result = await runCli(
      ['--plugin', elsewhere, '--debug', 'inspect', '--format', '{{.Labels.plugin}}', 'foo:x'],
      {
        cli,
        cwd: emptyDir,
        env: { FAKE_PLUGIN_MARKERS: markers },
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('explicit foo\n');
    // --debug says which package lost.
    expect(result.stderr).toContain('transport "foo" is also provided by skopeo-ts-transport-foo@1.2.3');
    expect(await markersIn(markers)).toEqual(['my-foo']);
    // A relative path is taken from the current directory; the global flag may follow the command.
    const relative = await runCli(
      ['inspect', '--plugin', './elsewhere/my-foo', '--format', '{{.Labels.plugin}}', 'extra:x'],
      {
        cli,
        cwd: tmp.path,
      },
    );
    expect(relative.exitCode, relative.stderr).toBe(0);
    expect(relative.stdout).toBe('explicit foo\n');
  });

  it('a package named with --plugin that is also found by scanning is listed once, as explicit', async () => {
    for (const spec of [join(globalModules, 'skopeo-ts-transport-foo'), 'skopeo-ts-transport-foo']) {
      const result = await runCli(['--plugin', spec, 'plugins', '--format', 'json'], { cli, cwd: emptyDir });
      expect(result.exitCode, result.stderr).toBe(0);
      const rows = (JSON.parse(result.stdout) as PluginRow[]).filter(
        (row) => row.package === 'skopeo-ts-transport-foo',
      );
      expect(rows, spec).toEqual([
        expect.objectContaining({ transport: 'foo', source: 'explicit', active: true }),
      ]);
    }
  });

  it('--plugin NAME finds a package whose name does not follow the convention', async () => {
    const without = await runCli(['inspect', 'odd:x'], { cli, cwd: project });
    expect(without.exitCode).toBe(1);
    const withPlugin = await runCli(
      ['--plugin', 'odd-name', 'inspect', '--format', '{{.Labels.plugin}}', 'odd:x'],
      {
        cli,
        cwd: project,
      },
    );
    expect(withPlugin.exitCode, withPlugin.stderr).toBe(0);
    expect(withPlugin.stdout).toBe('odd-name\n');
  });

  it('--plugin with something that is not installed is an error naming it', async () => {
    const result = await runCli(['--plugin', 'not-installed-anywhere', 'inspect', 'foo:x'], {
      cli,
      cwd: emptyDir,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('plugin "not-installed-anywhere" (from --plugin) is not installed');
  });

  it('SKOPEO_TS_PLUGINS names plugins (comma-separated); a missing one is only a warning', async () => {
    const env = { SKOPEO_TS_PLUGINS: `odd-name, ${join(tmp.path, 'nope')}` };
    const result = await runCli(['plugins', '--format', 'json'], { cli, cwd: project, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as PluginRow[];
    expect(rows.find((row) => row.transport === 'odd')).toMatchObject({ source: 'explicit', active: true });
    expect(result.stderr).toContain('skopeo-ts: warning: plugin');
    expect(result.stderr).toContain('(from SKOPEO_TS_PLUGINS) is not installed');
  });

  it('reads plugins from $XDG_CONFIG_HOME/skopeo-ts/config.json, relative paths from its directory', async () => {
    const home = join(tmp.path, 'config-home');
    const configDir = join(home, '.config', 'skopeo-ts');
    await writeFakePlugin(join(configDir, 'plugins', 'cfg'), { name: 'cfg-plugin', transports: ['cfg'] });
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ plugins: ['./plugins/cfg'] }));
    const result = await runCli(['inspect', '--format', '{{.Labels.plugin}}', 'cfg:x'], {
      cli,
      cwd: emptyDir,
      home,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('cfg-plugin\n');
    await writeFile(join(configDir, 'config.json'), '{ "plugins": "not a list" }');
    const broken = await runCli(['inspect', 'cfg:x'], { cli, cwd: emptyDir, home });
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toContain(join(configDir, 'config.json'));
  });
});

describe('pnpm installs', () => {
  it("never searches pnpm's virtual store, but finds what is linked into node_modules", async () => {
    // pnpm add -g: the CLI's real file is inside node_modules/.pnpm; only symlinks sit in node_modules.
    const root = join(tmp.path, 'pnpm-global', 'node_modules');
    const store = join(root, '.pnpm', '@skopeo-ts+cli@0.1.0', 'node_modules');
    const pnpmCli = await installCliCopy(store);
    await writeFakePlugin(join(store, 'skopeo-ts-transport-hidden'), {
      name: 'skopeo-ts-transport-hidden',
      transports: ['hidden'],
    });
    const linkedTarget = join(
      root,
      '.pnpm',
      'skopeo-ts-transport-foo@1.2.3',
      'node_modules',
      'skopeo-ts-transport-foo',
    );
    await writeFakePlugin(linkedTarget, { name: 'skopeo-ts-transport-foo', transports: ['foo'] });
    await symlink(linkedTarget, join(root, 'skopeo-ts-transport-foo'));
    const result = await runCli(['plugins', '--format', 'json'], { cli: pnpmCli, cwd: emptyDir });
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as PluginRow[];
    expect(rows.map((row) => row.transport)).toEqual(['foo']);
    const inspect = await runCli(['inspect', '--format', '{{.Architecture}}', 'foo:x'], {
      cli: pnpmCli,
      cwd: emptyDir,
    });
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    expect(inspect.stdout).toBe('amd64\n');
  });
});

describe('main(argv, { bundledPlugins }) for embedding packages', () => {
  it('a bundled package that is also found by scanning (through a symlink) is listed once, as bundled', async () => {
    // The embedder's own node_modules links to the plugin, as pnpm lays out a workspace: the
    // bundled plugin resolves to the real directory, the scan finds the link.
    const embedder = join(tmp.path, 'embedder-twice');
    const real = join(tmp.path, 'real-packages', 'skopeo-ts-transport-twice');
    await writeFakePlugin(real, { name: 'skopeo-ts-transport-twice', transports: ['twice'] });
    await mkdir(join(embedder, 'node_modules'), { recursive: true });
    await symlink(real, join(embedder, 'node_modules', 'skopeo-ts-transport-twice'), 'dir');
    const script = join(embedder, 'embed.mjs');
    const cliIndex = join(globalModules, '@skopeo-ts', 'cli', 'dist', 'index.js');
    await writeFile(
      script,
      `import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from ${JSON.stringify(cliIndex)};
process.exitCode = await main(process.argv.slice(2), {
  installDir: dirname(fileURLToPath(import.meta.url)),
  resolveFrom: import.meta.url,
  bundledPlugins: { 'skopeo-ts-transport-twice': () => import('skopeo-ts-transport-twice') },
});
`,
    );
    const env = { PATH: process.env.PATH, HOME: emptyDir, XDG_CONFIG_HOME: join(emptyDir, '.config') };
    const listing = spawnSync(process.execPath, [script, 'plugins', '--format', 'json'], {
      cwd: emptyDir,
      env,
      encoding: 'utf8',
    });
    expect(listing.status, listing.stderr).toBe(0);
    const rows = (JSON.parse(listing.stdout) as PluginRow[]).filter((row) => row.transport === 'twice');
    expect(rows).toEqual([
      expect.objectContaining({ package: 'skopeo-ts-transport-twice', source: 'bundled', active: true }),
    ]);
    const table = spawnSync(process.execPath, [script, 'plugins'], { cwd: emptyDir, env, encoding: 'utf8' });
    expect(table.stdout).not.toContain('shadowed');
    const debug = spawnSync(process.execPath, [script, '--debug', 'plugins'], {
      cwd: emptyDir,
      env,
      encoding: 'utf8',
    });
    expect(debug.stderr).toContain('is the package already found as bundled');
  });

  it('uses plugins handed in by the embedder, reading their package.json before importing them', async () => {
    const pluginDir = join(tmp.path, 'bundled', 'embedded-plugin');
    await writeFakePlugin(pluginDir, {
      name: 'embedded-plugin',
      transports: ['emb', 'foo'],
      label: 'embedded',
    });
    const script = join(tmp.path, 'bundled', 'embed.mjs');
    const cliIndex = join(globalModules, '@skopeo-ts', 'cli', 'dist', 'index.js');
    await writeFile(
      script,
      `import { readFileSync } from 'node:fs';
import { main } from ${JSON.stringify(cliIndex)};
const packageJson = JSON.parse(readFileSync(${JSON.stringify(join(pluginDir, 'package.json'))}, 'utf8'));
const status = await main(process.argv.slice(2), {
  bundledPlugins: {
    'embedded-plugin': { load: () => import(${JSON.stringify(join(pluginDir, 'index.js'))}), packageJson },
    // A first-party name as a bare loader: its transports come from the CLI's map.
    '@skopeo-ts/transport-dir': () => { throw new Error('must not be imported'); },
  },
});
process.exitCode = status;
`,
    );
    const markers = await freshMarkers();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [script, ...args], {
        cwd: emptyDir,
        env: {
          PATH: process.env.PATH,
          HOME: emptyDir,
          XDG_CONFIG_HOME: join(emptyDir, '.config'),
          FAKE_PLUGIN_MARKERS: markers,
        },
        encoding: 'utf8',
      });
    const listing = run(['plugins', '--format', 'json']);
    expect(listing.status, listing.stderr).toBe(0);
    const rows = JSON.parse(listing.stdout) as PluginRow[];
    expect(rows.find((row) => row.transport === 'emb')).toMatchObject({
      source: 'bundled',
      version: '1.2.3',
      apiVersion: 1,
    });
    expect(rows.find((row) => row.transport === 'dir')).toMatchObject({
      source: 'bundled',
      package: '@skopeo-ts/transport-dir',
    });
    // Bundled beats the third-party package installed beside the CLI.
    expect(rows.find((row) => row.transport === 'foo' && row.active)?.package).toBe('embedded-plugin');
    expect(existsSync(join(markers, 'embedded-plugin'))).toBe(false);
    const inspect = run(['inspect', '--format', '{{.Labels.plugin}}', 'foo:x']);
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(inspect.stdout).toBe('embedded\n');
    expect(await markersIn(markers)).toEqual(['embedded-plugin']);
  });
});
