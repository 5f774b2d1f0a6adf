// skopeo's login, logout and `login --get-login` for docker://: credentials are checked against
// the registry (GET /v2/ with Basic, or the token flow the registry asks for) before they are
// stored in the primary auth file (mode 0600), keyed as containers/common keys them.
import {
  type Context,
  isSkopeoError,
  type LoginCredentials,
  type LoginOptions,
  type LoginResult,
  type LogoutOptions,
  type LogoutResult,
  SkopeoError,
  UnauthorizedError,
} from '@skopeo-ts/core';
import { type AuthScope, CATALOG_SCOPE, pullScope } from './client/auth.js';
import { discard } from './client/limits.js';
import {
  configEnvironment,
  lookupCredentials,
  primaryAuthFile,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
  validateCredentialsKey,
} from './config/index.js';
import type { DockerRuntime } from './runtime.js';

export interface CredentialsKey {
  /** What the auth file is keyed by: `host[:port]` or `host[:port]/namespace[/repo]`. */
  key: string;
  /** `host[:port]`. */
  registry: string;
  /** The namespace or repository part of a namespaced key, else undefined. */
  repository: string | undefined;
}

/**
 * The auth-file key for a login/logout argument (containers/common's parseCredentialsKey): a URL
 * (`https://host/v2/`) stands for its host; `host/ns/repo` keys credentials for that namespace;
 * tags and digests are refused.
 */
export function parseCredentialsKey(argument: string): CredentialsKey {
  let key = argument.trim();
  const url = /^https?:\/\//.exec(key);
  if (url !== null) {
    key = key.slice(url[0].length);
    const slash = key.indexOf('/');
    if (slash >= 0) key = key.slice(0, slash);
  }
  key = key.replace(/\/+$/, '');
  const invalid = (reason: string) =>
    new SkopeoError('INVALID_ARGUMENT', `invalid registry "${argument}": ${reason}`);
  if (key === '') throw invalid('it is empty');
  if (key.includes('@')) throw invalid('a digest is not allowed, only host[:port][/namespace[/repo]]');
  const slash = key.indexOf('/');
  if (slash >= 0 && key.slice(slash + 1).includes(':')) {
    throw invalid('a tag is not allowed, only host[:port][/namespace[/repo]]');
  }
  validateCredentialsKey(key);
  const registry = slash < 0 ? key : key.slice(0, slash);
  return { key, registry, repository: slash < 0 ? undefined : key.slice(slash + 1) };
}

/** The context without credentials given on the command line (they must not shadow the files). */
function fileContext(ctx: Context): Context {
  const { credentials: _credentials, noCredentials: _noCredentials, ...rest } = ctx;
  return rest;
}

/**
 * Checks username/password against the registry: GET /v2/ authenticated as the registry asks
 * (Basic, or a token from its token server). Throws UNAUTHORIZED for refused credentials.
 */
export async function checkCredentials(
  target: CredentialsKey,
  credentials: LoginCredentials,
  ctx: Context,
  runtime: DockerRuntime,
): Promise<void> {
  const checkCtx: Context = {
    ...fileContext(ctx),
    credentials: { kind: 'basic', username: credentials.username, password: credentials.password },
  };
  const settings = runtime.settings(checkCtx);
  const endpoint = await settings.endpoints.registryEndpoint(target.registry);
  const client = runtime.client(checkCtx, settings, endpoint);
  // A scope is needed for the client to authenticate at all; a token server that grants nothing
  // for it still proves the credentials by issuing a token.
  const scopes: AuthScope[] = [
    target.repository === undefined ? CATALOG_SCOPE : pullScope(target.repository),
  ];
  const what = `authenticating creds for "${target.key}"`;
  try {
    const response = await client.request({
      method: 'GET',
      path: '/v2/',
      scopes,
      what,
      expect: [200],
      signal: ctx.signal,
    });
    discard(response.body);
  } catch (error) {
    if (isSkopeoError(error, 'UNAUTHORIZED') || isSkopeoError(error, 'DENIED')) {
      throw new UnauthorizedError(`${what}: invalid username/password`, {
        cause: error,
        hint: `check the username and password for ${target.registry}`,
      });
    }
    throw error;
  } finally {
    await client.close();
  }
}

export async function login(
  registry: string,
  credentials: LoginCredentials,
  ctx: Context,
  runtime: DockerRuntime,
  options: LoginOptions = {},
): Promise<LoginResult> {
  const target = parseCredentialsKey(registry);
  if (credentials.username === '') throw new SkopeoError('INVALID_ARGUMENT', 'the username is empty');
  if (credentials.password === '') throw new SkopeoError('INVALID_ARGUMENT', 'the password is empty');
  if (options.verify !== false) await checkCredentials(target, credentials, ctx, runtime);
  const environment = configEnvironment(ctx);
  const file = primaryAuthFile({ authFile: ctx.authFile, environment });
  const authFile = await storeCredentials(file.path, target.key, credentials.username, credentials.password, {
    environment,
    signal: ctx.signal,
  });
  return { authFile };
}

export async function logout(
  registry: string | undefined,
  ctx: Context,
  options: LogoutOptions,
): Promise<LogoutResult> {
  const environment = configEnvironment(ctx);
  const file = primaryAuthFile({ authFile: ctx.authFile, environment });
  const edit = { environment, signal: ctx.signal };
  if (options.all) {
    if (registry !== undefined) throw new SkopeoError('INVALID_ARGUMENT', '--all takes no arguments');
    await removeAllCredentials(file.path, edit);
    return { removed: true };
  }
  if (registry === undefined) throw new SkopeoError('INVALID_ARGUMENT', 'registry must be given');
  const target = parseCredentialsKey(registry);
  return { removed: await removeCredentials(file.path, target.key, edit) };
}

/** The username stored for a registry in the auth files (or their helpers); undefined if none. */
export async function getLogin(registry: string, ctx: Context): Promise<string | undefined> {
  const target = parseCredentialsKey(registry);
  const found = await lookupCredentials({
    registry: target.registry,
    repository: target.repository,
    ctx: fileContext(ctx),
  });
  if (found?.kind !== 'basic' || found.username === '') return undefined;
  return found.username;
}
