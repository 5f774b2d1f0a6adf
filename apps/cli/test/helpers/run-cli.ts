// Runs the built CLI (dist/cli.js) as a subprocess, with a clean environment: its own HOME and
// XDG_CONFIG_HOME so that no user config file or SKOPEO_TS_PLUGINS of the machine leaks in.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const BUILT_CLI = join(PACKAGE_DIR, 'dist', 'cli.js');

export interface CliResult {
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  exitCode: number;
}

export interface RunCliOptions {
  /** Working directory (default: the system's temp directory). */
  cwd?: string;
  /** Extra environment on top of the clean one. */
  env?: Record<string, string>;
  /** Another copy of the CLI (e.g. one "installed" into a temporary prefix). */
  cli?: string;
  /** Home directory (default: `<cwd>/.home`, created). */
  home?: string;
  /** Written to the CLI's stdin (default: an empty stdin). */
  input?: string;
}

export function requireBuiltCli(cli = BUILT_CLI): void {
  if (!existsSync(cli)) {
    throw new Error(
      `${cli} is missing: build the CLI first (pnpm --filter @skopeo-ts/cli build; turbo's test task does it)`,
    );
  }
}

export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const cli = options.cli ?? BUILT_CLI;
  requireBuiltCli(cli);
  const cwd = options.cwd ?? tmpdir();
  const home = options.home ?? join(cwd, '.home');
  await mkdir(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    LANG: 'C.UTF-8',
    ...options.env,
  };
  const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {}); // the CLI may exit without reading stdin
  child.stdin.end(options.input);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
  });
  const stdoutBytes = Buffer.concat(stdout);
  return {
    stdout: stdoutBytes.toString('utf8'),
    stdoutBytes,
    stderr: Buffer.concat(stderr).toString('utf8'),
    exitCode,
  };
}
