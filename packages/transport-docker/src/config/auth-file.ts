// Registry credentials from auth files (containers-auth.json(5) and Docker's config.json), the
// way containers/image's pkg/docker/config reads them, plus Docker's `credsStore` (which skopeo
// lacks). Search order without --authfile: $XDG_RUNTIME_DIR/containers/auth.json (or
// /run/containers/UID/auth.json), $XDG_CONFIG_HOME/containers/auth.json (~/.config),
// $DOCKER_CONFIG/config.json (or ~/.docker/config.json), ~/.dockercfg (legacy format).
// An explicit --authfile / REGISTRY_AUTH_FILE is the only file searched.
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { type Context, type Credentials, IoError, SkopeoError } from '@skopeo-ts/core';
import { writeFileAtomic } from './atomic-write.js';
import { CredentialHelperError, helperErase, helperGet, helperStore } from './credential-helper.js';
import { type ConfigEnvironment, configEnvironment, envValue, errnoCode, systemPath } from './environment.js';

/** registries.conf's name for "consult the auth files" in `credential-helpers`. */
export const AUTH_FILE_HELPER = 'containers-auth.json';

export interface AuthFileCandidate {
  path: string;
  /** ~/.dockercfg: the whole file is the "auths" map, keyed by URLs. */
  legacyFormat: boolean;
}

export interface AuthFileCandidatesOptions {
  /** --authfile (ctx.authFile); REGISTRY_AUTH_FILE from the environment when unset. */
  authFile?: string | undefined;
  environment: ConfigEnvironment;
}

/** The explicit auth file: --authfile, else REGISTRY_AUTH_FILE. */
export function explicitAuthFile(options: AuthFileCandidatesOptions): string | undefined {
  if (options.authFile !== undefined && options.authFile !== '') return options.authFile;
  return envValue(options.environment, 'REGISTRY_AUTH_FILE');
}

/**
 * The primary auth file: the explicit one, else $XDG_RUNTIME_DIR/containers/auth.json, else
 * /run/containers/UID/auth.json. This is where `login` writes. Throws when XDG_RUNTIME_DIR names a
 * directory that does not exist (as containers/image does).
 */
export function primaryAuthFile(options: AuthFileCandidatesOptions): { path: string; explicit: boolean } {
  const explicit = explicitAuthFile(options);
  if (explicit !== undefined) return { path: explicit, explicit: true };
  const { environment } = options;
  const runtimeDir = envValue(environment, 'XDG_RUNTIME_DIR');
  if (runtimeDir !== undefined) {
    try {
      statSync(runtimeDir);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        throw new SkopeoError(
          'INVALID_ARGUMENT',
          `"${runtimeDir}" directory set by $XDG_RUNTIME_DIR does not exist`,
          { cause: error, hint: 'create the directory or unset XDG_RUNTIME_DIR' },
        );
      }
      // Anything else: let the reader fail on the file itself.
    }
    return { path: path.join(runtimeDir, 'containers', 'auth.json'), explicit: false };
  }
  return {
    path: systemPath(environment, `/run/containers/${environment.uid}/auth.json`),
    explicit: false,
  };
}

/** The auth files searched for credentials, in order (missing files are skipped when read). */
export function authFileCandidates(options: AuthFileCandidatesOptions): AuthFileCandidate[] {
  const { environment } = options;
  const candidates: AuthFileCandidate[] = [];
  let explicit = false;
  try {
    const primary = primaryAuthFile(options);
    explicit = primary.explicit;
    candidates.push({ path: primary.path, legacyFormat: false });
  } catch (error) {
    // containers/image warns and goes on: a public image needs no credentials.
    environment.debug?.(`${(error as Error).message}: skipping it, in case the image is public`);
  }
  if (explicit) return candidates;
  const configHome = envValue(environment, 'XDG_CONFIG_HOME') ?? path.join(environment.homeDir, '.config');
  candidates.push({ path: path.join(configHome, 'containers', 'auth.json'), legacyFormat: false });
  const dockerConfig = envValue(environment, 'DOCKER_CONFIG');
  candidates.push({
    path:
      dockerConfig === undefined
        ? path.join(environment.homeDir, '.docker', 'config.json')
        : path.join(dockerConfig, 'config.json'),
    legacyFormat: false,
  });
  candidates.push({ path: path.join(environment.homeDir, '.dockercfg'), legacyFormat: true });
  return candidates;
}

// ---------------------------------------------------------------------------------------------
// Keys

/** Docker Hub's historical names all stand for one registry. */
function normalizeRegistry(registry: string): string {
  return registry === 'registry-1.docker.io' || registry === 'docker.io' ? 'index.docker.io' : registry;
}

/**
 * The registry an auth file key stands for: `https://`/`http://` and everything after the host
 * are dropped from URL keys (and from every key of the legacy format), and Docker Hub's names
 * become one. `https://index.docker.io/v1/` and `docker.io` are the same registry.
 */
export function normalizeAuthKey(key: string, legacyFormat = false): string {
  let stripped = key;
  if (stripped.startsWith('http://')) stripped = stripped.slice('http://'.length);
  else if (stripped.startsWith('https://')) stripped = stripped.slice('https://'.length);
  if (legacyFormat || stripped !== key) {
    const slash = stripped.indexOf('/');
    if (slash >= 0) stripped = stripped.slice(0, slash);
  }
  return normalizeRegistry(stripped);
}

/**
 * Checks a credentials key (`host[:port][/namespace[/repo]]`) and tells whether it is namespaced.
 * URLs, digests and tags are refused.
 */
export function validateCredentialsKey(key: string): { namespaced: boolean } {
  const fail = (reason: string) =>
    new SkopeoError('INVALID_ARGUMENT', `invalid credentials key "${key}": ${reason}`);
  if (key === '') throw fail('it is empty');
  if (key.startsWith('http://') || key.startsWith('https://')) throw fail('it contains a http[s]:// prefix');
  if (key.includes('@')) throw fail('it contains a "@" character');
  const slash = key.indexOf('/');
  if (slash >= 0 && key.slice(slash + 1).includes(':')) throw fail('it contains a ":" after host[:port]');
  return { namespaced: slash >= 0 };
}

/** `host/ns/repo`, `host/ns`, `host`: the most specific key first. Legacy files only know hosts. */
export function authKeyLookupOrder(key: string, registry: string, legacyFormat = false): string[] {
  if (legacyFormat) return [registry];
  const keys: string[] = [];
  let current = key;
  for (;;) {
    keys.push(current);
    const slash = current.lastIndexOf('/');
    if (slash < 0) break;
    current = current.slice(0, slash);
  }
  return keys;
}

/** The server URL Docker's credsStore helpers use for a registry (Docker Hub's v1 URL). */
export function credsStoreServerURL(registry: string): string {
  return normalizeRegistry(registry) === 'index.docker.io' ? 'https://index.docker.io/v1/' : registry;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface AuthEntry {
  auth: string | undefined;
  identityToken: string | undefined;
}

export interface AuthFileContents {
  path: string;
  legacyFormat: boolean;
  /** Entries in file order. */
  auths: Map<string, AuthEntry>;
  credHelpers: Map<string, string>;
  credsStore: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field by name, case-insensitively as Go's encoding/json matches struct fields. */
function field(record: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(record)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function corrupt(file: string, reason: string, cause?: unknown): SkopeoError {
  return new SkopeoError(
    'CORRUPT',
    `reading auth file ${file}: ${reason}`,
    cause === undefined ? {} : { cause },
  );
}

function optionalString(file: string, value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw corrupt(file, `${what} is not a string`);
  return value;
}

function parseAuths(file: string, value: unknown): Map<string, AuthEntry> {
  const auths = new Map<string, AuthEntry>();
  if (value === undefined || value === null) return auths;
  if (!isRecord(value)) throw corrupt(file, '"auths" is not an object');
  for (const [key, entry] of Object.entries(value)) {
    if (entry === null) continue;
    if (!isRecord(entry)) throw corrupt(file, `the entry for "${key}" is not an object`);
    auths.set(key, {
      auth: optionalString(file, field(entry, 'auth'), `"auth" of "${key}"`),
      identityToken: optionalString(file, field(entry, 'identitytoken'), `"identitytoken" of "${key}"`),
    });
  }
  return auths;
}

/** Parses an auth file's text. */
export function parseAuthFile(text: string, file: string, legacyFormat = false): AuthFileContents {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `invalid JSON: ${(error as Error).message}`, error);
  }
  if (!isRecord(parsed)) throw corrupt(file, 'the file is not a JSON object');
  if (legacyFormat) {
    return {
      path: file,
      legacyFormat,
      auths: parseAuths(file, parsed),
      credHelpers: new Map(),
      credsStore: undefined,
    };
  }
  const helpersValue = field(parsed, 'credHelpers');
  const credHelpers = new Map<string, string>();
  if (helpersValue !== undefined && helpersValue !== null) {
    if (!isRecord(helpersValue)) throw corrupt(file, '"credHelpers" is not an object');
    for (const [host, helper] of Object.entries(helpersValue)) {
      if (typeof helper !== 'string') throw corrupt(file, `credHelpers["${host}"] is not a string`);
      credHelpers.set(host, helper);
    }
  }
  const credsStore = optionalString(file, field(parsed, 'credsStore'), '"credsStore"');
  return {
    path: file,
    legacyFormat,
    auths: parseAuths(file, field(parsed, 'auths')),
    credHelpers,
    credsStore: credsStore === '' ? undefined : credsStore,
  };
}

/** Reads and parses an auth file; undefined when it does not exist. */
export async function readAuthFile(candidate: AuthFileCandidate): Promise<AuthFileContents | undefined> {
  let text: string;
  try {
    text = await fs.readFile(candidate.path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw new IoError('reading auth file', candidate.path, error);
  }
  return parseAuthFile(text, candidate.path, candidate.legacyFormat);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The credentials of one auth entry; undefined for an empty marker or an unusable entry. */
function decodeEntry(
  contents: AuthFileContents,
  key: string,
  entry: AuthEntry,
  environment: ConfigEnvironment,
): Credentials | undefined {
  const auth = (entry.auth ?? '').replace(/[\r\n]/g, '');
  // An identity token (Docker stores "user:" beside it) is what the registry's token server takes.
  const token = entry.identityToken ?? '';
  if (token !== '') return { kind: 'identity-token', token };
  if (auth === '') {
    // Docker writes `"auths": {"host": {}}` next to a credential helper.
    environment.debug?.(`empty credential entry "${key}" in ${contents.path}, moving on`);
    return undefined;
  }
  if (!BASE64.test(auth)) throw corrupt(contents.path, `the "auth" field of "${key}" is not valid base64`);
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    // Never log the decoded text: it may be a secret.
    environment.debug?.(`the "auth" field of "${key}" in ${contents.path} has no ":", skipping it`);
    return undefined;
  }
  // Go's encoder pads some old files with NULs.
  const password = decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '');
  return { kind: 'basic', username: decoded.slice(0, colon), password };
}

function helperCredentials(found: { username: string; secret: string }): Credentials {
  return found.username === '<token>'
    ? { kind: 'identity-token', token: found.secret }
    : { kind: 'basic', username: found.username, password: found.secret };
}

/** The credHelpers entry for a registry (exact key first, then URL-style keys). */
function credHelperFor(contents: AuthFileContents, registry: string): string | undefined {
  const exact = contents.credHelpers.get(registry);
  if (exact !== undefined) return exact;
  const normalized = normalizeRegistry(registry);
  for (const [host, helper] of contents.credHelpers)
    if (normalizeAuthKey(host, true) === normalized) return helper;
  return undefined;
}

interface LookupKey {
  /** `host[/namespace/repo]`. */
  key: string;
  /** `host[:port]`. */
  registry: string;
}

/**
 * Credentials for key in one parsed file: its credHelpers entry for the registry, else the most
 * specific "auths" entry, else a URL-style entry for the registry, else its credsStore helper.
 */
export async function credentialsFromAuthFile(
  contents: AuthFileContents,
  lookup: LookupKey,
  environment: ConfigEnvironment,
  signal?: AbortSignal,
): Promise<Credentials | undefined> {
  const { key, registry } = lookup;
  // Helpers are per registry: namespaced credentials are an auth-file feature only.
  const helper = credHelperFor(contents, registry);
  if (helper !== undefined) {
    environment.debug?.(
      `looking up ${registry} in credential helper ${helper} (credHelpers in ${contents.path})`,
    );
    const found = await helperGet(helper, registry, environment, signal);
    return found === undefined ? undefined : helperCredentials(found);
  }
  for (const candidate of authKeyLookupOrder(key, registry, contents.legacyFormat)) {
    const entry = contents.auths.get(candidate);
    if (entry === undefined) continue;
    const credentials = decodeEntry(contents, candidate, entry, environment);
    if (credentials !== undefined) {
      environment.debug?.(`found credentials for ${key} in ${contents.path} (entry "${candidate}")`);
      return credentials;
    }
  }
  const normalized = normalizeRegistry(registry);
  for (const [entryKey, entry] of contents.auths) {
    if (normalizeAuthKey(entryKey, contents.legacyFormat) !== normalized) continue;
    const credentials = decodeEntry(contents, entryKey, entry, environment);
    if (credentials !== undefined) {
      environment.debug?.(`found credentials for ${key} in ${contents.path} (entry "${entryKey}")`);
      return credentials;
    }
  }
  if (contents.credsStore !== undefined) {
    const serverURL = credsStoreServerURL(registry);
    environment.debug?.(
      `looking up ${serverURL} in credential helper ${contents.credsStore} (credsStore in ${contents.path})`,
    );
    try {
      const found = await helperGet(contents.credsStore, serverURL, environment, signal);
      return found === undefined ? undefined : helperCredentials(found);
    } catch (error) {
      // A credsStore left behind by an uninstalled Docker Desktop must not break public pulls.
      if (error instanceof CredentialHelperError && error.missing) {
        environment.debug?.(`${error.message} (credsStore in ${contents.path}), ignoring it`);
        return undefined;
      }
      throw error;
    }
  }
  return undefined;
}

export interface LookupCredentialsOptions {
  /** Registry host[:port] as in the reference: "docker.io", "localhost:5000". */
  registry: string;
  /** Repository path within the registry: "library/busybox". Omit for registry-wide (login). */
  repository?: string | undefined;
  ctx?: Context | undefined;
  /** Default: configEnvironment(ctx). */
  environment?: ConfigEnvironment | undefined;
  /**
   * registries.conf `credential-helpers`, consulted in order; "containers-auth.json" stands for
   * the auth files. Default: ["containers-auth.json"].
   */
  credentialHelpers?: readonly string[] | undefined;
}

/**
 * The credentials to use for a repository: undefined with --no-creds or when nothing is
 * configured; ctx.credentials (--creds, --username, --registry-token) as given; otherwise the
 * first match from the credential helpers of registries.conf and the auth files.
 */
export async function lookupCredentials(options: LookupCredentialsOptions): Promise<Credentials | undefined> {
  const { ctx, registry } = options;
  if (ctx?.noCredentials) return undefined;
  if (ctx?.credentials !== undefined) return ctx.credentials;
  const environment = options.environment ?? configEnvironment(ctx);
  const key = options.repository ? `${registry}/${options.repository}` : registry;
  validateCredentialsKey(key);
  const helpers = options.credentialHelpers?.length ? options.credentialHelpers : [AUTH_FILE_HELPER];
  const errors: Error[] = [];
  for (const helper of helpers) {
    try {
      if (helper === AUTH_FILE_HELPER) {
        for (const candidate of authFileCandidates({ authFile: ctx?.authFile, environment })) {
          const contents = await readAuthFile(candidate);
          if (contents === undefined) continue;
          const found = await credentialsFromAuthFile(contents, { key, registry }, environment, ctx?.signal);
          if (found !== undefined) return found;
        }
      } else {
        const found = await helperGet(helper, registry, environment, ctx?.signal);
        if (found !== undefined) {
          environment.debug?.(`found credentials for ${registry} in credential helper ${helper}`);
          return helperCredentials(found);
        }
      }
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ABORTED') throw error;
      environment.debug?.(`looking up credentials for ${key} in ${helper}: ${(error as Error).message}`);
      errors.push(error as Error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new SkopeoError(
      'INVALID_ARGUMENT',
      `errors looking up credentials for ${key}:\n${errors.map((e) => `  * ${e.message}`).join('\n')}`,
      { cause: errors[0] },
    );
  }
  environment.debug?.(`no credentials for ${key} found`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Writing (login / logout)

export interface EditOptions {
  environment?: ConfigEnvironment | undefined;
  signal?: AbortSignal | undefined;
}

async function readRawAuthFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {};
    throw new IoError('reading auth file', file, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `invalid JSON: ${(error as Error).message}`, error);
  }
  if (!isRecord(parsed)) throw corrupt(file, 'the file is not a JSON object');
  return parsed;
}

function authsOf(file: string, raw: Record<string, unknown>): Record<string, unknown> {
  const auths = raw.auths;
  if (auths === undefined || auths === null) return {};
  if (!isRecord(auths)) throw corrupt(file, '"auths" is not an object');
  return auths;
}

function credHelpersOf(raw: Record<string, unknown>): Record<string, unknown> {
  return isRecord(raw.credHelpers) ? raw.credHelpers : {};
}

async function writeAuthFile(file: string, raw: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(raw, null, '\t')}\n`, { mode: 0o600, dirMode: 0o700 });
}

/**
 * Records username/password for key (`host[:port][/ns/repo]`) in file, keeping every other key
 * of the file; through the file's credHelpers entry when it names the registry. The file is
 * written atomically with mode 0600 (parent directories 0700). Returns where the credentials went.
 */
export async function storeCredentials(
  file: string,
  key: string,
  username: string,
  password: string,
  options: EditOptions = {},
): Promise<string> {
  const { namespaced } = validateCredentialsKey(key);
  const raw = await readRawAuthFile(file);
  const auths = authsOf(file, raw);
  // The registry's helper would shadow a namespaced entry in the file: refuse instead of writing
  // credentials that are never read.
  const helper = credHelpersOf(raw)[key.split('/', 1)[0] ?? key];
  if (typeof helper === 'string') {
    if (namespaced) {
      throw new SkopeoError(
        'INVALID_ARGUMENT',
        `namespaced key "${key}" is not supported by credential helper ${helper}`,
      );
    }
    await helperStore(
      helper,
      key,
      { username, secret: password },
      options.environment ?? configEnvironment(),
      options.signal,
    );
    return `credential helper: ${helper}`;
  }
  auths[key] = { auth: Buffer.from(`${username}:${password}`, 'utf8').toString('base64') };
  raw.auths = auths;
  await writeAuthFile(file, raw);
  return file;
}

/**
 * Removes the credentials for key from file (and from its credHelpers entry for that registry).
 * Returns false when there was nothing to remove ("not logged in").
 */
export async function removeCredentials(
  file: string,
  key: string,
  options: EditOptions = {},
): Promise<boolean> {
  const { namespaced } = validateCredentialsKey(key);
  const raw = await readRawAuthFile(file);
  const auths = authsOf(file, raw);
  let removed = false;
  const helper = credHelpersOf(raw)[key];
  if (typeof helper === 'string' && !namespaced) {
    removed = await helperErase(helper, key, options.environment ?? configEnvironment(), options.signal);
  }
  if (Object.hasOwn(auths, key)) {
    delete auths[key];
    raw.auths = auths;
    await writeAuthFile(file, raw);
    removed = true;
  }
  return removed;
}

/**
 * Removes every credential from file (logout --all): all "auths" entries, and what each
 * credHelpers entry's helper holds for its registry. The credHelpers settings themselves stay.
 */
export async function removeAllCredentials(file: string, options: EditOptions = {}): Promise<void> {
  const raw = await readRawAuthFile(file);
  authsOf(file, raw);
  for (const [registry, helper] of Object.entries(credHelpersOf(raw))) {
    if (typeof helper !== 'string') continue;
    await helperErase(helper, registry, options.environment ?? configEnvironment(), options.signal);
  }
  if (raw.auths === undefined) {
    // Nothing on file to clear; do not create a file that did not exist.
    try {
      await fs.access(file);
    } catch {
      return;
    }
  }
  raw.auths = {};
  await writeAuthFile(file, raw);
}
