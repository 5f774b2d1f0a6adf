// The two copiers being compared, each as a command line: ours (the skopeo-ts CLI, or a runner
// calling copyImage through the library) and Debian's skopeo in an isolated environment.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  buildOciImage,
  createSkopeoEnvironment,
  fixtures,
  requirePeer,
  type SkopeoEnvironment,
} from '@skopeo-ts/testkit';
import type { Via } from './args.js';
import { RUNNER_PATH } from './paths.js';

export interface Tool {
  name: 'ours' | 'skopeo';
  /** How it runs, for the report. */
  description: string;
  version: string;
  command: string;
  /** `flags`: extra copy flags (placed before SOURCE). */
  copyArgs(source: string, destination: string, flags?: readonly string[]): string[];
  /** The same copy under `node --cpu-prof` (ours only). */
  profileArgs?(source: string, destination: string, profileDir: string): string[];
  /** Any command line (`--version`, `inspect REF`), for start-up; undefined for the library runner. */
  argv?(args: readonly string[]): string[];
  /** How `argv` runs, for the report (default: `description`). */
  startupDescription?: string;
  env: NodeJS.ProcessEnv;
}

/** The CLI's bin, resolved as a dependency of this package, if it is built. */
export function findCli(): { path: string; version: string } | undefined {
  const require = createRequire(import.meta.url);
  let packageJsonPath: string;
  try {
    packageJsonPath = require.resolve('@skopeo-ts/cli/package.json');
  } catch {
    return undefined;
  }
  const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as {
    version: string;
    bin?: string | Record<string, string>;
  };
  const bin = typeof packageJson.bin === 'string' ? packageJson.bin : packageJson.bin?.['skopeo-ts'];
  if (bin === undefined) return undefined;
  const path = join(dirname(packageJsonPath), bin);
  return existsSync(path) ? { path, version: packageJson.version } : undefined;
}

function libraryVersion(): string {
  const require = createRequire(import.meta.url);
  const core = JSON.parse(readFileSync(require.resolve('@skopeo-ts/core/package.json'), 'utf8')) as {
    version: string;
  };
  return `core ${core.version}`;
}

export function cliTool(cli: { path: string; version: string }): Tool {
  const shown = cli.path.replace(/^.*\/(apps\/)/, '$1');
  return {
    name: 'ours',
    description: `CLI: \`node ${shown} copy SRC DEST\``,
    argv: (args) => [cli.path, ...args],
    startupDescription: `\`node ${shown} ARGS\``,
    version: `skopeo-ts ${cli.version}`,
    command: process.execPath,
    copyArgs: (source, destination, flags = []) => [cli.path, 'copy', ...flags, source, destination],
    profileArgs: (source, destination, dir) => [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      cli.path,
      'copy',
      source,
      destination,
    ],
    env: { ...process.env, NO_COLOR: '1' },
  };
}

function libraryTool(): Tool {
  if (!existsSync(RUNNER_PATH)) {
    throw new Error(
      `the library runner ${RUNNER_PATH} is missing: run pnpm --filter @skopeo-ts/bench run build`,
    );
  }
  return {
    name: 'ours',
    description: 'library: `node tooling/bench/dist/runner.js SRC DEST` (copyImage in a process of its own)',
    version: libraryVersion(),
    command: process.execPath,
    copyArgs: (source, destination) => [RUNNER_PATH, source, destination],
    profileArgs: (source, destination, dir) => [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      RUNNER_PATH,
      source,
      destination,
    ],
    env: { ...process.env },
  };
}

/** Copies a tiny image with `tool` to see that it works at all; the error text when it does not. */
async function smokeTest(tool: Tool, workDir: string): Promise<string | undefined> {
  const dir = await mkdtemp(join(workDir, 'smoke-'));
  try {
    const image = await buildOciImage(join(dir, 'src'), fixtures.single(), { tag: 'smoke' });
    const destination = join(dir, 'dest');
    const result = spawnSync(tool.command, tool.copyArgs(image.reference, `dir:${destination}`), {
      env: tool.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status === 0 && existsSync(join(destination, 'manifest.json'))) return undefined;
    return `exit ${result.status ?? result.signal}: ${(result.stderr || result.stdout || String(result.error)).trim()}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface OursChoice {
  tool: Tool;
  /** Why this mode was chosen (e.g. the CLI is not built). */
  note: string | undefined;
}

/** `workDir`: a temp dir of the bench's own, for the smoke test. */
export async function chooseOurs(via: Via, workDir: string): Promise<OursChoice> {
  if (via === 'library') return { tool: libraryTool(), note: undefined };
  const cli = findCli();
  if (cli === undefined) {
    if (via === 'cli') {
      throw new Error(
        '--via cli: the skopeo-ts CLI is not built (apps/cli/dist/cli.js); run pnpm build first',
      );
    }
    return { tool: libraryTool(), note: 'the CLI (apps/cli/dist/cli.js) is not built' };
  }
  const tool = cliTool(cli);
  const failure = await smokeTest(tool, workDir);
  if (failure === undefined) return { tool, note: undefined };
  if (via === 'cli') throw new Error(`--via cli: the skopeo-ts CLI cannot copy a tiny image: ${failure}`);
  return { tool: libraryTool(), note: `the CLI failed a tiny copy (${failure.split('\n')[0]})` };
}

/** skopeo with its own policy, registries.conf, HOME and TMPDIR; throws naming the Debian package if missing. */
export async function skopeoTool(): Promise<{ tool: Tool; environment: SkopeoEnvironment }> {
  const binary = requirePeer('skopeo', 'skopeo');
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const version = (probe.stdout ?? '').trim().replace(/^skopeo version /, '') || 'unknown';
  const environment = await createSkopeoEnvironment();
  const global = ['--policy', environment.policyPath, '--registries.d', environment.registriesDir];
  return {
    environment,
    tool: {
      name: 'skopeo',
      description: `\`skopeo ${global[0]} POLICY ${global[2]} DIR copy SRC DEST\` (isolated HOME, TMPDIR, registries.conf)`,
      version: `skopeo ${version}`,
      command: binary,
      copyArgs: (source, destination, flags = []) => [...global, 'copy', ...flags, source, destination],
      argv: (args) => [...args],
      startupDescription: '`skopeo ARGS` (isolated HOME, TMPDIR, registries.conf)',
      env: environment.env,
    },
  };
}
