// registries.conf (containers-registries.conf(5), version 2, TOML), read the way current skopeo
// reads it (go.podman.io/image's sysregistriesv2 over storage's configfile):
// - main file: --registries-conf (ctx.registriesConf; must exist), else CONTAINERS_REGISTRIES_CONF
//   (must exist; then no drop-ins), else the first existing of $XDG_CONFIG_HOME (~/.config)
//   /containers/registries.conf, /etc/containers/registries.conf, /usr/share/containers/registries.conf;
// - drop-ins `*.conf` from ~/.config/containers/registries.conf.d, /etc/containers/registries.conf.d,
//   /etc/containers/registries.{rootful,rootless}.conf.d[/UID], and the same under /usr/share: a
//   name in a more preferred directory hides the same name in the others; all are read in name
//   order, each one replacing whole [[registry]] entries by prefix and the top-level settings it sets;
// - CONTAINERS_REGISTRIES_CONF_OVERRIDE, read last (must exist).
// The v1 format ([registries.search] ...) is refused, as current skopeo does.
import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  type Context,
  type DockerReference,
  IoError,
  parseDockerReference,
  SkopeoError,
} from '@skopeo-ts/core';
import { parse as parseToml, TomlError } from 'smol-toml';
import { type ConfigEnvironment, configEnvironment, envValue, errnoCode, systemPath } from './environment.js';

export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';
export type ShortNameMode = 'disabled' | 'enforcing' | 'permissive';

export interface MirrorEndpoint {
  /** host[:port][/namespace...], no scheme. */
  location: string;
  insecure: boolean;
  pullFromMirror: PullFromMirror | undefined;
}

export interface RegistryEntry {
  /** What references it applies to: `host[/ns]` or `*.example.com`. */
  prefix: string;
  /** Where matching references really live ('' only for a wildcard prefix: no rewrite). */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorEndpoint[];
  /** The file that defined this entry (for messages). */
  source: string;
}

export interface RegistriesConf {
  /** One entry per prefix, sorted by prefix. */
  registries: RegistryEntry[];
  unqualifiedSearchRegistries: string[];
  unqualifiedSearchRegistriesOrigin: string | undefined;
  /** `credential-helpers`; ["containers-auth.json"] when unset. */
  credentialHelpers: string[];
  shortNameMode: ShortNameMode | undefined;
  aliases: Record<string, string>;
  /** Files read, in order. */
  files: string[];
}

/** One file's settings; undefined means "not set in this file". */
export interface RegistriesConfFile {
  path: string;
  registries: RegistryEntry[];
  unqualifiedSearchRegistries: string[] | undefined;
  credentialHelpers: string[] | undefined;
  shortNameMode: ShortNameMode | undefined;
  aliases: Record<string, string>;
}

export const DEFAULT_CREDENTIAL_HELPERS: readonly string[] = ['containers-auth.json'];

export function emptyRegistriesConf(): RegistriesConf {
  return {
    registries: [],
    unqualifiedSearchRegistries: [],
    unqualifiedSearchRegistriesOrigin: undefined,
    credentialHelpers: [...DEFAULT_CREDENTIAL_HELPERS],
    shortNameMode: undefined,
    aliases: {},
    files: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing one file

function invalid(file: string, reason: string, hint?: string): SkopeoError {
  return new SkopeoError(
    'INVALID_ARGUMENT',
    `loading registries configuration ${file}: ${reason}`,
    hint === undefined ? {} : { hint },
  );
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function stringField(file: string, table: Table, key: string, where: string): string {
  const value = table[key];
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid(file, `${where}${key} must be a string`);
  return value;
}

function boolField(file: string, table: Table, key: string, where: string): boolean {
  const value = table[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(file, `${where}${key} must be true or false`);
  return value;
}

function stringArray(file: string, table: Table, key: string): string[] | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid(file, `${key} must be an array of strings`);
  }
  return value as string[];
}

/** Trailing "/" removed; URL schemes refused. */
function parseLocation(file: string, input: string): string {
  const trimmed = input.replace(/\/+$/, '');
  if (trimmed.startsWith('http://') || trimmed.startsWith('https://')) {
    throw invalid(file, `invalid location "${input}": URI schemes are not supported`);
  }
  return trimmed;
}

const DOMAIN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

function isV1(document: Table): boolean {
  const registries = document.registries;
  if (!isTable(registries)) return false;
  return ['search', 'insecure', 'block'].some((name) => {
    const section = registries[name];
    return isTable(section) && section.registries !== undefined;
  });
}

function parsePullFromMirror(file: string, value: string, location: string): PullFromMirror | undefined {
  if (value === '') return undefined;
  if (value === 'all' || value === 'digest-only' || value === 'tag-only') return value;
  throw invalid(file, `unsupported pull-from-mirror value "${value}" for mirror "${location}"`);
}

function parseRegistry(file: string, value: unknown, index: number): RegistryEntry {
  const where = `[[registry]] #${index + 1}: `;
  if (!isTable(value)) throw invalid(file, `${where}not a table`);
  const location = parseLocation(file, stringField(file, value, 'location', where));
  let prefix = stringField(file, value, 'prefix', where);
  if (prefix === '') {
    if (location === '') throw invalid(file, `${where}both location and prefix are unset`);
    prefix = location;
  } else {
    prefix = parseLocation(file, prefix);
    if (!prefix.startsWith('*.') && location === '') {
      throw invalid(
        file,
        `${where}location is unset and prefix "${prefix}" is not in the format *.example.com`,
      );
    }
  }
  if (prefix.startsWith('*.') && /[/@:]/.test(prefix)) {
    throw invalid(file, `wildcarded prefix should be in the format *.example.com; prefix "${prefix}" is not`);
  }
  if (stringField(file, value, 'pull-from-mirror', where) !== '') {
    throw invalid(file, `pull-from-mirror must not be set for a non-mirror registry "${prefix}"`);
  }
  const mirrorByDigestOnly = boolField(file, value, 'mirror-by-digest-only', where);
  const mirrorsValue = value.mirror ?? [];
  if (!Array.isArray(mirrorsValue))
    throw invalid(file, `${where}mirror must be an array of tables ([[registry.mirror]])`);
  const mirrors = mirrorsValue.map((mirror, mirrorIndex): MirrorEndpoint => {
    const mirrorWhere = `${where}mirror #${mirrorIndex + 1}: `;
    if (!isTable(mirror)) throw invalid(file, `${mirrorWhere}not a table`);
    const mirrorLocation = parseLocation(file, stringField(file, mirror, 'location', mirrorWhere));
    if (mirrorLocation === '') throw invalid(file, `${mirrorWhere}mirror location is unset`);
    const pullFromMirror = parsePullFromMirror(
      file,
      stringField(file, mirror, 'pull-from-mirror', mirrorWhere),
      mirrorLocation,
    );
    if (mirrorByDigestOnly && pullFromMirror !== undefined) {
      throw invalid(
        file,
        `cannot set mirror-by-digest-only for the registry "${prefix}" and pull-from-mirror for its mirror "${mirrorLocation}" at the same time`,
      );
    }
    return {
      location: mirrorLocation,
      insecure: boolField(file, mirror, 'insecure', mirrorWhere),
      pullFromMirror,
    };
  });
  return {
    prefix,
    location,
    insecure: boolField(file, value, 'insecure', where),
    blocked: boolField(file, value, 'blocked', where),
    mirrorByDigestOnly,
    mirrors,
    source: file,
  };
}

/** Parses one registries.conf (or drop-in) text; file names it in errors. */
export function parseRegistriesConf(text: string, file: string): RegistriesConfFile {
  let document: Table;
  try {
    document = parseToml(text) as Table;
  } catch (error) {
    const reason = error instanceof TomlError ? error.message : String(error);
    throw new SkopeoError('CORRUPT', `loading registries configuration ${file}: invalid TOML: ${reason}`, {
      cause: error,
    });
  }
  if (isV1(document)) {
    throw invalid(
      file,
      'registries.conf must be in v2 format but is in v1',
      'replace [registries.search]/[registries.insecure]/[registries.block] with unqualified-search-registries and [[registry]] tables (see containers-registries.conf(5))',
    );
  }
  const registryValue = document.registry ?? [];
  if (!Array.isArray(registryValue))
    throw invalid(file, 'registry must be an array of tables ([[registry]])');
  const parsed = registryValue.map((value, index) => parseRegistry(file, value, index));

  // A location (or wildcard prefix) named several times must agree on insecure and blocked.
  const byLocation = new Map<string, RegistryEntry>();
  for (const entry of parsed) {
    const key = entry.location === '' ? entry.prefix : entry.location;
    const first = byLocation.get(key);
    if (first === undefined) {
      byLocation.set(key, entry);
      continue;
    }
    for (const setting of ['insecure', 'blocked'] as const) {
      if (first[setting] !== entry[setting]) {
        throw invalid(
          file,
          `registry "${key}" is defined multiple times with conflicting '${setting}' setting`,
        );
      }
    }
  }
  // The first entry of a prefix wins; later ones are ignored (as containers/image does).
  const unique = new Map<string, RegistryEntry>();
  for (const entry of parsed) if (!unique.has(entry.prefix)) unique.set(entry.prefix, entry);

  const search = stringArray(file, document, 'unqualified-search-registries')?.map((entry) => {
    const location = parseLocation(file, entry);
    if (!DOMAIN.test(location))
      throw invalid(file, `invalid unqualified-search-registries entry "${location}"`);
    return location;
  });

  const modeValue = document['short-name-mode'];
  let shortNameMode: ShortNameMode | undefined;
  if (modeValue !== undefined && modeValue !== '') {
    if (modeValue !== 'disabled' && modeValue !== 'enforcing' && modeValue !== 'permissive') {
      throw invalid(file, `invalid short-name mode: ${JSON.stringify(modeValue)}`);
    }
    shortNameMode = modeValue;
  }

  const aliases: Record<string, string> = {};
  const aliasesValue = document.aliases;
  if (aliasesValue !== undefined) {
    if (!isTable(aliasesValue)) throw invalid(file, '[aliases] must be a table');
    for (const [name, target] of Object.entries(aliasesValue)) {
      if (typeof target !== 'string') throw invalid(file, `alias "${name}" must be a string`);
      if (name === '__proto__') continue;
      aliases[name] = target;
    }
  }

  return {
    path: file,
    registries: sortByPrefix([...unique.values()]),
    unqualifiedSearchRegistries: search,
    credentialHelpers: stringArray(file, document, 'credential-helpers'),
    shortNameMode,
    aliases,
  };
}

function sortByPrefix(entries: RegistryEntry[]): RegistryEntry[] {
  return entries.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

/** Merges files in reading order: later files replace entries by prefix and settings they set. */
export function mergeRegistriesConf(files: readonly RegistriesConfFile[]): RegistriesConf {
  const conf = emptyRegistriesConf();
  const byPrefix = new Map<string, RegistryEntry>();
  let helpers: string[] | undefined;
  for (const file of files) {
    conf.files.push(file.path);
    for (const entry of file.registries) byPrefix.set(entry.prefix, entry);
    if (file.unqualifiedSearchRegistries !== undefined) {
      conf.unqualifiedSearchRegistries = file.unqualifiedSearchRegistries;
      conf.unqualifiedSearchRegistriesOrigin = file.path;
    }
    if (file.credentialHelpers !== undefined) helpers = file.credentialHelpers;
    if (file.shortNameMode !== undefined) conf.shortNameMode = file.shortNameMode;
    Object.assign(conf.aliases, file.aliases);
  }
  conf.registries = sortByPrefix([...byPrefix.values()]);
  if (helpers !== undefined && helpers.length > 0) conf.credentialHelpers = helpers;
  return conf;
}

// ---------------------------------------------------------------------------------------------
// Finding and reading the files

export interface RegistriesConfSearch {
  /** Candidates for the main file, most preferred first; only the first existing one is read. */
  mainFiles: string[];
  /** An explicit main file (option or environment) must exist. */
  mainMustExist: boolean;
  /** Drop-in directories, most preferred first. */
  dropInDirs: string[];
  /** CONTAINERS_REGISTRIES_CONF_OVERRIDE: read last, must exist. */
  overrideFile: string | undefined;
}

const CONF_NAME = 'registries.conf';

function dropInDirsUnder(mainFile: string, uid: number): string[] {
  const special = uid > 0 ? 'rootless' : 'rootful';
  const base = mainFile.endsWith('.conf') ? mainFile.slice(0, -'.conf'.length) : mainFile;
  const specialDir = `${base}.${special}.conf.d`;
  return [`${mainFile}.d`, specialDir, ...(uid > 0 ? [path.join(specialDir, String(uid))] : [])];
}

/** Which files and directories make up the registries configuration. */
export function registriesConfSearch(options: {
  /** --registries-conf (ctx.registriesConf). */
  registriesConf?: string | undefined;
  environment: ConfigEnvironment;
}): RegistriesConfSearch {
  const { environment } = options;
  const configHome = envValue(environment, 'XDG_CONFIG_HOME') ?? path.join(environment.homeDir, '.config');
  const userFile = path.join(configHome, 'containers', CONF_NAME);
  const adminFile = systemPath(environment, `/etc/containers/${CONF_NAME}`);
  const vendorFile = systemPath(environment, `/usr/share/containers/${CONF_NAME}`);
  const defaultDropIns = [
    `${userFile}.d`,
    ...dropInDirsUnder(adminFile, environment.uid),
    ...dropInDirsUnder(vendorFile, environment.uid),
  ];
  const overrideFile = envValue(environment, 'CONTAINERS_REGISTRIES_CONF_OVERRIDE');
  if (options.registriesConf !== undefined && options.registriesConf !== '') {
    return {
      mainFiles: [options.registriesConf],
      mainMustExist: true,
      dropInDirs: defaultDropIns,
      overrideFile,
    };
  }
  const fromEnv = envValue(environment, 'CONTAINERS_REGISTRIES_CONF');
  if (fromEnv !== undefined)
    return { mainFiles: [fromEnv], mainMustExist: true, dropInDirs: [], overrideFile };
  return {
    mainFiles: [userFile, adminFile, vendorFile],
    mainMustExist: false,
    dropInDirs: defaultDropIns,
    overrideFile,
  };
}

async function readConfFile(file: string, mustExist: boolean): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (!mustExist && errnoCode(error) === 'ENOENT') return undefined;
    throw new IoError('loading registries configuration', file, error);
  }
}

/** Drop-in files in reading order: by name, a name in a preferred directory hiding the others. */
export async function dropInFiles(dirs: readonly string[]): Promise<string[]> {
  const byName = new Map<string, string>();
  for (const dir of [...dirs].reverse()) {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new IoError('reading registries.conf.d', dir, error);
    }
    for (const entry of entries) {
      if (entry.isFile() && entry.name.endsWith('.conf')) byName.set(entry.name, path.join(dir, entry.name));
    }
  }
  return [...byName.keys()].sort().map((name) => byName.get(name)!);
}

export interface LoadRegistriesConfOptions {
  ctx?: Context | undefined;
  environment?: ConfigEnvironment | undefined;
  /** Overrides ctx.registriesConf. */
  registriesConf?: string | undefined;
}

/** Reads and merges the whole registries configuration. No file at all is an empty configuration. */
export async function loadRegistriesConf(options: LoadRegistriesConfOptions = {}): Promise<RegistriesConf> {
  const environment = options.environment ?? configEnvironment(options.ctx);
  const search = registriesConfSearch({
    registriesConf: options.registriesConf ?? options.ctx?.registriesConf,
    environment,
  });
  const files: RegistriesConfFile[] = [];
  for (const file of search.mainFiles) {
    const text = await readConfFile(file, search.mainMustExist);
    if (text === undefined) continue;
    environment.debug?.(`loading registries configuration ${file}`);
    files.push(parseRegistriesConf(text, file));
    break;
  }
  for (const file of await dropInFiles(search.dropInDirs)) {
    // Removed since the listing: an expected race.
    const text = await readConfFile(file, false);
    if (text === undefined) continue;
    environment.debug?.(`loading registries configuration drop-in ${file}`);
    files.push(parseRegistriesConf(text, file));
  }
  if (search.overrideFile !== undefined) {
    const text = await readConfFile(search.overrideFile, true);
    if (text !== undefined) files.push(parseRegistriesConf(text, search.overrideFile));
  }
  return mergeRegistriesConf(files);
}

// ---------------------------------------------------------------------------------------------
// Matching references

/**
 * Where prefix matches ref (a registry, repository or full reference beginning with its host):
 * the length of ref's matched part, or -1. `*.example.com` matches any subdomain's host.
 */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const suffix = prefix.slice(1);
    const index = ref.indexOf(suffix);
    if (index < 0 || ref.slice(0, index).includes('/')) return -1;
    const end = index + suffix.length;
    if (end === ref.length) return end;
    const next = ref[end];
    return next === ':' || next === '/' || next === '@' ? end : -1;
  }
  if (ref.length < prefix.length || !ref.startsWith(prefix)) return -1;
  if (ref.length === prefix.length) return prefix.length;
  const next = ref[prefix.length];
  // Like containers/image, "example.com" also matches "example.com:5000" (unintended upstream).
  return next === ':' || next === '/' || next === '@' ? prefix.length : -1;
}

/**
 * The [[registry]] entry for a name (`host[:port]/repo...`, as DockerReference.name): the longest
 * matching prefix, the first in prefix order among equally long ones. undefined: no entry.
 */
export function findRegistry(conf: RegistriesConf, name: string): RegistryEntry | undefined {
  let found: RegistryEntry | undefined;
  for (const entry of conf.registries) {
    if (refMatchingPrefix(name, entry.prefix) < 0) continue;
    if (found === undefined || entry.prefix.length > found.prefix.length) found = entry;
  }
  return found;
}

function blockedError(entry: RegistryEntry): SkopeoError {
  return new SkopeoError('DENIED', `registry ${entry.prefix} is blocked in ${entry.source}`, {
    hint: `remove "blocked = true" for ${entry.prefix} from ${entry.source} to use it`,
  });
}

/** Throws DENIED when registries.conf blocks the name (any access: pull, push, delete, list). */
export function assertNotBlocked(conf: RegistriesConf, name: string): void {
  const entry = findRegistry(conf, name);
  if (entry?.blocked) throw blockedError(entry);
}

export interface PullSource {
  /** The reference as it is fetched from this endpoint (location rewrite applied). */
  reference: DockerReference;
  /** host[:port] to connect to. */
  endpointHost: string;
  /** Repository path on that endpoint. */
  repositoryRewritten: string;
  /** registries.conf `insecure` of this endpoint (skip TLS verification, allow http). */
  insecure: boolean;
  isMirror: boolean;
  /**
   * ctx.credentials (--creds, --registry-token) name no registry: they may only go to the
   * reference's own registry, never to a mirror on another host.
   */
  explicitCredentialsAllowed: boolean;
}

function rewrite(ref: DockerReference, prefix: string, location: string): DockerReference {
  if (location === '') return ref;
  const text = ref.toString();
  const matched = refMatchingPrefix(text, prefix);
  if (matched < 0) {
    throw new SkopeoError('INTERNAL', `invalid prefix "${prefix}" for reference "${text}"`);
  }
  const rewritten = location + text.slice(matched);
  try {
    return parseDockerReference(rewritten);
  } catch (error) {
    throw new SkopeoError(
      'INVALID_ARGUMENT',
      `rewriting reference ${text} with location "${location}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Where to pull a reference from, in order: the usable mirrors, then the registry itself
 * (with `location` applied). Mirrors with `pull-from-mirror`/`mirror-by-digest-only` are skipped
 * for references they do not serve. Endpoints that registries.conf blocks are left out; when
 * every one is, this throws DENIED naming the registry and the file.
 */
export function pullSources(conf: RegistriesConf, reference: DockerReference | string): PullSource[] {
  const ref = typeof reference === 'string' ? parseDockerReference(reference) : reference;
  const entry = findRegistry(conf, ref.name);
  if (entry === undefined) {
    return [
      {
        reference: ref,
        endpointHost: ref.domain,
        repositoryRewritten: ref.path,
        insecure: false,
        isMirror: false,
        explicitCredentialsAllowed: true,
      },
    ];
  }
  const digested = ref.digest !== undefined;
  const endpoints: { location: string; insecure: boolean; isMirror: boolean }[] = [];
  for (const mirror of entry.mirrors) {
    if (entry.mirrorByDigestOnly && !digested) continue;
    if (mirror.pullFromMirror === 'digest-only' && !digested) continue;
    if (mirror.pullFromMirror === 'tag-only' && digested) continue;
    endpoints.push({ location: mirror.location, insecure: mirror.insecure, isMirror: true });
  }
  endpoints.push({ location: entry.location, insecure: entry.insecure, isMirror: false });

  const sources: PullSource[] = [];
  let firstBlocked: RegistryEntry | undefined;
  for (const endpoint of endpoints) {
    const physical = rewrite(ref, entry.prefix, endpoint.location);
    // As containers/image, each endpoint is checked against the entry for its own name, so the
    // mirrors of a blocked registry stay usable.
    // The primary is also blocked by the entry that remapped it (what the documentation promises).
    const governing = findRegistry(conf, physical.name);
    const blockedBy = governing?.blocked
      ? governing
      : !endpoint.isMirror && entry.blocked
        ? entry
        : undefined;
    if (blockedBy !== undefined) {
      firstBlocked ??= blockedBy;
      continue;
    }
    sources.push({
      reference: physical,
      endpointHost: physical.domain,
      repositoryRewritten: physical.path,
      insecure: endpoint.insecure,
      isMirror: endpoint.isMirror,
      explicitCredentialsAllowed: physical.domain === ref.domain,
    });
  }
  if (sources.length === 0) throw blockedError(firstBlocked ?? entry);
  return sources;
}
