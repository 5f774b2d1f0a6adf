// Debian's skopeo 1.9.3 as a differential oracle, run in an isolated environment: its own
// policy, registries.conf, registries.d, HOME and XDG dirs, so nothing from the host (auth
// files, mirrors, short-name aliases, signature lookaside) changes what it does, and nothing one
// call leaves (a `login`) reaches the next. One thing cannot be isolated: run as root, skopeo
// keeps its blob-info cache in /var/lib/containers/cache, which only steers blob reuse; a test
// that asserts on reuse or recompression should push to a registry of its own.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest } from './digest.js';
import { requirePeer } from './peers.js';
import { makeTempDir } from './tmp.js';

export interface SkopeoRunOptions {
  /** Extra environment (e.g. REGISTRY_AUTH_FILE for a test that wants one). */
  env?: Record<string, string>;
  /** Kill skopeo after this long (default 5 minutes). */
  timeoutMs?: number;
  /** Written to skopeo's stdin (e.g. for `--password-stdin`). */
  input?: string | Uint8Array;
  cwd?: string;
  /**
   * Share one environment between calls (e.g. `login`, then `copy`); the caller cleans it up.
   * Default: a fresh environment for this call, removed afterwards.
   */
  environment?: SkopeoEnvironment;
}

export interface SkopeoResult {
  /** The arguments given (without the isolation flags). */
  args: string[];
  stdout: string;
  /** Exact stdout bytes (`inspect --raw` prints the manifest unchanged). */
  stdoutBytes: Buffer;
  stderr: string;
  /** Exit status; -1 when killed by a signal or the timeout. */
  exitCode: number;
}

export interface SkopeoEnvironment {
  /** Directory holding everything below. */
  root: string;
  policyPath: string;
  registriesConfPath: string;
  registriesDir: string;
  /** The whole environment skopeo gets (nothing else is inherited from ours). */
  env: NodeJS.ProcessEnv;
  /** Removes `root`. */
  cleanup(): Promise<void>;
}

/** Makes an isolated skopeo environment (policy accepting anything, empty registries.conf). */
export async function createSkopeoEnvironment(): Promise<SkopeoEnvironment> {
  const dir = await makeTempDir('skopeo-ts-skopeo-env');
  const root = dir.path;
  const home = join(root, 'home');
  const configHome = join(home, '.config');
  const runtimeDir = join(root, 'run');
  const tmp = join(root, 'tmp');
  const registriesDir = join(configHome, 'containers', 'registries.d');
  for (const path of [registriesDir, join(configHome, 'containers', 'registries.conf.d'), tmp]) {
    await mkdir(path, { recursive: true });
  }
  await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
  const policyPath = join(root, 'policy.json');
  await writeFile(policyPath, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  // skopeo 1.9.3 ignores CONTAINERS_REGISTRIES_CONF but prefers the per-user file over
  // /etc/containers (and then skips /etc's registries.conf.d): an empty one isolates it.
  const registriesConfPath = join(configHome, 'containers', 'registries.conf');
  await writeFile(registriesConfPath, '# empty: no mirrors, aliases or search registries\n');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    XDG_CONFIG_HOME: configHome,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: runtimeDir,
    DOCKER_CONFIG: join(home, '.docker'),
    CONTAINERS_REGISTRIES_CONF: registriesConfPath,
    TMPDIR: tmp,
  };
  return { root, policyPath, registriesConfPath, registriesDir, env, cleanup: () => dir.cleanup() };
}

/** Runs skopeo with `args`; never throws on a non-zero exit (see exitCode). */
export async function runSkopeo(
  args: readonly string[],
  options: SkopeoRunOptions = {},
): Promise<SkopeoResult> {
  const binary = requirePeer('skopeo', 'skopeo');
  const isolated = options.environment ?? (await createSkopeoEnvironment());
  try {
    return await spawnSkopeo(binary, isolated, args, options);
  } finally {
    if (options.environment === undefined) await isolated.cleanup();
  }
}

async function spawnSkopeo(
  binary: string,
  isolated: SkopeoEnvironment,
  args: readonly string[],
  options: SkopeoRunOptions,
): Promise<SkopeoResult> {
  // Global flags go before the subcommand.
  const argv = ['--policy', isolated.policyPath, '--registries.d', isolated.registriesDir, ...args];
  const child = spawn(binary, argv, {
    env: { ...isolated.env, ...options.env },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 300_000,
    killSignal: 'SIGKILL',
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {}); // skopeo may exit without reading stdin
  child.stdin.end(options.input);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
  });
  const stdoutBytes = Buffer.concat(stdout);
  return {
    args: [...args],
    stdout: stdoutBytes.toString('utf8'),
    stdoutBytes,
    stderr: Buffer.concat(stderr).toString('utf8'),
    exitCode,
  };
}

export class SkopeoError extends Error {
  constructor(readonly result: SkopeoResult) {
    super(`skopeo ${result.args.join(' ')} exited with ${result.exitCode}: ${result.stderr.trim()}`);
    this.name = 'SkopeoError';
  }
}

/** Runs skopeo and throws SkopeoError unless it exits 0. */
export async function runSkopeoChecked(
  args: readonly string[],
  options?: SkopeoRunOptions,
): Promise<SkopeoResult> {
  const result = await runSkopeo(args, options);
  if (result.exitCode !== 0) throw new SkopeoError(result);
  return result;
}

/** What `skopeo inspect` (no --raw/--config) prints in 1.9.3. */
export interface SkopeoInspectOutput {
  Name?: string;
  Tag?: string;
  Digest: string;
  RepoTags: string[];
  Created: string;
  DockerVersion: string;
  Labels: Record<string, string> | null;
  Architecture: string;
  Os: string;
  Variant?: string;
  Layers: string[];
  Env: string[] | null;
}

export interface SkopeoInspectOptions {
  /** `--raw`: the manifest (or with `config`, the config blob) exactly as stored. */
  raw?: boolean;
  /** `--config`: the image config. */
  config?: boolean;
  /** More flags, e.g. `['--tls-verify=false']` or `['--no-tags']`. */
  extraArgs?: readonly string[];
  run?: SkopeoRunOptions;
}

export interface SkopeoInspectResult<T> {
  /** Parsed stdout. */
  json: T;
  /** Exact stdout bytes. */
  bytes: Buffer;
  /** sha256 of stdout: the manifest digest with `raw`, the config digest with `raw` + `config`. */
  digest: string;
  result: SkopeoResult;
}

/** `skopeo inspect [--raw] [--config] ...extraArgs ref`, parsed; throws unless it succeeds. */
export async function skopeoInspect<T = SkopeoInspectOutput>(
  ref: string,
  options: SkopeoInspectOptions = {},
): Promise<SkopeoInspectResult<T>> {
  const args = ['inspect'];
  if (options.raw) args.push('--raw');
  if (options.config) args.push('--config');
  args.push(...(options.extraArgs ?? []), ref);
  const result = await runSkopeoChecked(args, options.run);
  return {
    json: JSON.parse(result.stdout) as T,
    bytes: result.stdoutBytes,
    digest: sha256Digest(result.stdoutBytes),
    result,
  };
}

/** `skopeo copy ...extraArgs src dest`; throws unless it succeeds. */
export function skopeoCopy(
  source: string,
  destination: string,
  extraArgs: readonly string[] = [],
  options?: SkopeoRunOptions,
): Promise<SkopeoResult> {
  return runSkopeoChecked(['copy', ...extraArgs, source, destination], options);
}
