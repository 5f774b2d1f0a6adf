// Runs a command to completion and keeps its output; `runChecked` fails with all of it.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';

export interface ExecResult {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** PATH with this Node first: bins start with `#!/usr/bin/env node`. */
export function pathWithNode(path = process.env.PATH ?? '/usr/bin:/bin'): string {
  return `${dirname(process.execPath)}:${path}`;
}

/**
 * The environment for package managers run by a test: ours, without what pnpm puts there for
 * the script it runs (npm must read only its usual configuration).
 */
export function packageManagerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_package_|npm_lifecycle_|npm_config_user_agent$|pnpm_config_|PNPM_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, PATH: pathWithNode(), ...extra };
}

export async function run(
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 240_000,
    killSignal: 'SIGKILL',
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
  });
  return {
    command: [command, ...args].join(' '),
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    exitCode,
  };
}

export async function runChecked(
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await run(command, args, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `${result.command} exited with ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}
