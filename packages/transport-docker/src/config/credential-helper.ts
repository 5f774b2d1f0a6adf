// Docker credential helpers: `docker-credential-NAME get|store|erase|list`, the protocol of
// docker/docker-credential-helpers. The server URL (or a JSON record for store) goes to stdin;
// get answers `{"ServerURL","Username","Secret"}`, and a helper that has nothing for the server
// exits non-zero printing "credentials not found in native keychain".
import { AbortedError, SkopeoError } from '@skopeo-ts/core';
import { type ConfigEnvironment, errnoCode } from './environment.js';

export const CREDENTIAL_HELPER_PREFIX = 'docker-credential-';
const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
const MAX_OUTPUT = 1024 * 1024;

export interface HelperCredentials {
  username: string;
  secret: string;
}

export type HelperAction = 'get' | 'store' | 'erase' | 'list';

/** A helper failure; `missing` is true when the program is not on PATH. */
export class CredentialHelperError extends SkopeoError {
  readonly helper: string;
  readonly missing: boolean;
  constructor(helper: string, message: string, missing: boolean, cause?: unknown) {
    super('INVALID_ARGUMENT', message, {
      cause,
      ...(missing ? { hint: `install ${helper} or remove it from the credential configuration` } : {}),
    });
    this.name = 'CredentialHelperError';
    this.helper = helper;
    this.missing = missing;
  }
}

export function helperProgram(name: string): string {
  return `${CREDENTIAL_HELPER_PREFIX}${name}`;
}

interface HelperRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function runHelper(
  program: string,
  action: HelperAction,
  input: string,
  environment: ConfigEnvironment,
  signal: AbortSignal | undefined,
): Promise<HelperRun> {
  // Loaded on first use: most commands never run a credential helper.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    // Node looks the program up in env.PATH when env is given.
    const child = spawn(program, [action], {
      env: { ...environment.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(signal === undefined ? {} : { signal }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_OUTPUT) into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    // A helper may exit without reading its input: that is not our failure.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      if (errnoCode(error) === 'ENOENT') {
        reject(
          new CredentialHelperError(program, `credential helper ${program} not found in PATH`, true, error),
        );
      } else if (signal?.aborted) {
        reject(new AbortedError(undefined, { cause: error }));
      } else {
        reject(
          new CredentialHelperError(program, `running ${program} ${action}: ${error.message}`, false, error),
        );
      }
    });
    child.on('close', (exitCode, exitSignal) => {
      resolve({
        exitCode,
        signal: exitSignal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(input);
  });
}

function failure(program: string, action: HelperAction, run: HelperRun): CredentialHelperError {
  const status = run.signal === null ? `exit status ${run.exitCode}` : `signal ${run.signal}`;
  const output = (run.stdout.trim() || run.stderr.trim()).slice(0, 500);
  return new CredentialHelperError(
    program,
    `credential helper ${program} ${action} failed (${status})${output === '' ? '' : `: ${output}`}`,
    false,
  );
}

function isNotFound(run: HelperRun): boolean {
  return run.stdout.trim() === NOT_FOUND_MESSAGE || run.stderr.trim() === NOT_FOUND_MESSAGE;
}

/** `get`: the credentials the helper has for serverURL, or undefined when it has none. */
export async function helperGet(
  name: string,
  serverURL: string,
  environment: ConfigEnvironment,
  signal?: AbortSignal,
): Promise<HelperCredentials | undefined> {
  const program = helperProgram(name);
  const run = await runHelper(program, 'get', serverURL, environment, signal);
  if (run.exitCode !== 0) {
    if (isNotFound(run)) return undefined;
    throw failure(program, 'get', run);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch (error) {
    // Never quote the output: it may hold the secret.
    throw new CredentialHelperError(
      program,
      `credential helper ${program} get printed invalid JSON`,
      false,
      error,
    );
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new CredentialHelperError(
      program,
      `credential helper ${program} get printed no JSON object`,
      false,
    );
  }
  const record = parsed as { Username?: unknown; Secret?: unknown };
  const username = typeof record.Username === 'string' ? record.Username : '';
  const secret = typeof record.Secret === 'string' ? record.Secret : '';
  if (username === '' && secret === '') return undefined;
  return { username, secret };
}

/** `store`: records username/secret for serverURL in the helper. */
export async function helperStore(
  name: string,
  serverURL: string,
  credentials: HelperCredentials,
  environment: ConfigEnvironment,
  signal?: AbortSignal,
): Promise<void> {
  const program = helperProgram(name);
  const input = JSON.stringify({
    ServerURL: serverURL,
    Username: credentials.username,
    Secret: credentials.secret,
  });
  const run = await runHelper(program, 'store', input, environment, signal);
  if (run.exitCode !== 0) throw failure(program, 'store', run);
}

/** `erase`: removes serverURL from the helper; false when the helper had nothing for it. */
export async function helperErase(
  name: string,
  serverURL: string,
  environment: ConfigEnvironment,
  signal?: AbortSignal,
): Promise<boolean> {
  const program = helperProgram(name);
  const run = await runHelper(program, 'erase', serverURL, environment, signal);
  if (run.exitCode === 0) return true;
  if (isNotFound(run)) return false;
  throw failure(program, 'erase', run);
}

/** `list`: server URL → username for everything the helper holds. */
export async function helperList(
  name: string,
  environment: ConfigEnvironment,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const program = helperProgram(name);
  const run = await runHelper(program, 'list', '', environment, signal);
  if (run.exitCode !== 0) throw failure(program, 'list', run);
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch (error) {
    throw new CredentialHelperError(
      program,
      `credential helper ${program} list printed invalid JSON`,
      false,
      error,
    );
  }
  const out: Record<string, string> = {};
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') out[key] = value;
  }
  return out;
}
