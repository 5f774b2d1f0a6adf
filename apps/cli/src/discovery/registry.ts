// Finds the package that provides a transport prefix and imports only that one. Precedence when
// several packages claim one prefix: explicit (--plugin, SKOPEO_TS_PLUGINS, config file), then
// bundled by an embedder, then first-party, then third-party; within each, the order found
// (beside the CLI's install before the project's node_modules).
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ImageReference,
  SkopeoError,
  splitTransportReference,
  type Transport,
  type TransportPlugin,
} from '@skopeo-ts/core';
import { type BundledPlugins, bundledCandidates } from './bundled.js';
import { describeSource, type PluginCandidate, precedence } from './candidate.js';
import { configFilePath, readConfigFile } from './config-file.js';
import { explicitSpecs, locateExplicit } from './explicit.js';
import { firstPartyPackageFor } from './first-party.js';
import { candidateAt } from './installed.js';
import {
  incompatiblePluginError,
  isSupportedApiVersion,
  loadPlugin,
  transportFromPlugin,
} from './load-plugin.js';
import { transportNotFoundError } from './not-found.js';
import { scanNodeModules } from './scan.js';
import { type SearchDirectory, searchDirectories } from './search-paths.js';

export interface DiscoveryOptions {
  /** Directory of the CLI's own file: plugins installed beside it are found from here. */
  cliDir: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  /** --plugin values. */
  pluginFlags: readonly string[];
  bundledPlugins?: BundledPlugins;
  /** Where bundled plugins' package.json files are resolved from (the embedder's import.meta.url). */
  resolveFrom?: string | URL;
  /** --debug notes; undefined when --debug is off. */
  debug?: (message: string) => void;
  warn: (message: string) => void;
}

export interface DiscoveredTransport {
  transport: string;
  candidate: PluginCandidate;
  /** The package a reference with this prefix would use. */
  active: boolean;
  /** Why it is not used, or cannot be. */
  problem: string | undefined;
}

function claims(candidate: PluginCandidate, transport: string): boolean {
  return candidate.transports.includes(transport);
}

/** The candidate's package directory with symlinks resolved; undefined when it has none ("bundled"). */
async function packageDirectory(candidate: PluginCandidate): Promise<string | undefined> {
  if (candidate.location === 'bundled') return undefined;
  try {
    return await realpath(candidate.location);
  } catch {
    return candidate.location;
  }
}

function usable(candidate: PluginCandidate): boolean {
  return candidate.apiVersion === undefined || isSupportedApiVersion(candidate.apiVersion);
}

export class PluginRegistry {
  readonly searchDirs: readonly SearchDirectory[];
  private explicit: Promise<PluginCandidate[]> | undefined;
  private bundled: Promise<PluginCandidate[]> | undefined;
  private scanned: Promise<PluginCandidate[]> | undefined;
  private all: Promise<PluginCandidate[]> | undefined;
  private readonly plugins = new Map<PluginCandidate, Promise<TransportPlugin>>();

  constructor(private readonly options: DiscoveryOptions) {
    this.searchDirs = searchDirectories(options.cliDir, options.cwd);
  }

  /** Parses `transport:rest` with the transport's plugin (imported now, and only it). */
  async imageReference(input: string): Promise<ImageReference> {
    const { transport, rest } = splitTransportReference(input);
    return (await this.transport(transport, input)).parseReference(rest);
  }

  /** The transport for a prefix; `input` is the whole reference, for error messages. */
  async transport(name: string, input: string): Promise<Transport> {
    const debug = this.options.debug;
    let chosen = await this.quickCandidate(name);
    if (chosen === undefined || debug !== undefined) {
      const claimants = (await this.allCandidates()).filter((candidate) => claims(candidate, name));
      chosen ??= claimants[0];
      if (debug && chosen && claimants.length > 1) {
        const others = claimants.filter((candidate) => candidate.location !== chosen?.location);
        for (const other of others) {
          debug(
            `transport "${name}" is also provided by ${other.packageName}@${other.packageVersion} (${describeSource(other)}: ${other.location}); using ${chosen.packageName} (${describeSource(chosen)}: ${chosen.location})`,
          );
        }
      }
    }
    if (chosen === undefined) {
      throw transportNotFoundError(name, input, await this.installedTransportNames());
    }
    if (!usable(chosen)) {
      const rejected = chosen;
      const alternative = (await this.allCandidates()).find(
        (candidate) => claims(candidate, name) && usable(candidate),
      );
      if (alternative === undefined) throw incompatiblePluginError(rejected);
      debug?.(
        `skipping ${rejected.packageName} (${rejected.location}): plugin API version ${rejected.apiVersion} is not supported; using ${alternative.packageName} (${alternative.location})`,
      );
      chosen = alternative;
    }
    debug?.(`transport "${name}": ${chosen.packageName}@${chosen.packageVersion} from ${chosen.location}`);
    return transportFromPlugin(await this.load(chosen), chosen, name);
  }

  /** Every transport every known package provides, with the one in use marked. */
  async discovered(): Promise<DiscoveredTransport[]> {
    const rows: DiscoveredTransport[] = [];
    const used = new Map<string, PluginCandidate>();
    for (const candidate of await this.allCandidates()) {
      for (const transport of candidate.transports) {
        const current = used.get(transport);
        let problem: string | undefined;
        if (!usable(candidate)) {
          problem = `plugin API version ${candidate.apiVersion} is not supported`;
        } else if (current !== undefined) {
          problem = `shadowed by ${current.packageName} (${describeSource(current)})`;
        } else {
          used.set(transport, candidate);
        }
        rows.push({ transport, candidate, active: problem === undefined, problem });
      }
    }
    return rows;
  }

  /** Explicit and bundled packages, then the first-party package for the prefix: no scanning. */
  private async quickCandidate(name: string): Promise<PluginCandidate | undefined> {
    const named = [...(await this.explicitCandidates()), ...(await this.bundledCandidates())];
    const found = named.find((candidate) => claims(candidate, name));
    if (found !== undefined) return found;
    const packageName = firstPartyPackageFor(name);
    if (packageName === undefined) return undefined;
    for (const dir of this.searchDirs) {
      const result = await candidateAt(join(dir.path, packageName), { kind: dir.origin });
      if (result.kind === 'plugin' && claims(result.candidate, name)) return result.candidate;
    }
    return undefined;
  }

  private async installedTransportNames(): Promise<string[]> {
    const names = new Set<string>();
    for (const candidate of await this.allCandidates()) {
      if (usable(candidate)) for (const transport of candidate.transports) names.add(transport);
    }
    return [...names];
  }

  /**
   * All packages, in precedence order, each package directory once: a package found by several
   * routes (bundled by the embedder and also scanned in its node_modules, named with --plugin and
   * also installed, reached through a symlink) is kept where it ranks highest.
   */
  allCandidates(): Promise<PluginCandidate[]> {
    this.all ??= this.collectCandidates();
    return this.all;
  }

  private async collectCandidates(): Promise<PluginCandidate[]> {
    const all = [
      ...(await this.explicitCandidates()),
      ...(await this.bundledCandidates()),
      ...(await this.scannedCandidates()),
    ];
    // Array.prototype.sort is stable: discovery order is kept within one precedence.
    all.sort((a, b) => precedence(a) - precedence(b));
    const seen = new Map<string, PluginCandidate>();
    const unique: PluginCandidate[] = [];
    for (const candidate of all) {
      const dir = await packageDirectory(candidate);
      const first = dir === undefined ? undefined : seen.get(dir);
      if (first !== undefined) {
        this.options.debug?.(
          `${candidate.packageName} (${describeSource(candidate)}: ${candidate.location}) is the package already found as ${describeSource(first)}: ${first.location}`,
        );
        continue;
      }
      if (dir !== undefined) seen.set(dir, candidate);
      unique.push(candidate);
    }
    return unique;
  }

  private load(candidate: PluginCandidate): Promise<TransportPlugin> {
    let plugin = this.plugins.get(candidate);
    if (plugin === undefined) {
      plugin = loadPlugin(candidate);
      this.plugins.set(candidate, plugin);
    }
    return plugin;
  }

  private explicitCandidates(): Promise<PluginCandidate[]> {
    this.explicit ??= this.readExplicit();
    return this.explicit;
  }

  private bundledCandidates(): Promise<PluginCandidate[]> {
    this.bundled ??= bundledCandidates(this.options.bundledPlugins ?? {}, this.options.resolveFrom);
    return this.bundled;
  }

  private scannedCandidates(): Promise<PluginCandidate[]> {
    this.scanned ??= this.scan();
    return this.scanned;
  }

  private async readExplicit(): Promise<PluginCandidate[]> {
    const { env, homeDir, cwd } = this.options;
    const configPath = configFilePath(env, homeDir);
    const config = await readConfigFile(configPath);
    const specs = explicitSpecs(this.options.pluginFlags, env.SKOPEO_TS_PLUGINS, config);
    const candidates: PluginCandidate[] = [];
    for (const { spec, via, strict } of specs) {
      const problem = (message: string, hint: string) => {
        if (strict) throw new SkopeoError('INVALID_PLUGIN', message, { hint });
        this.options.warn(`${message}; ignoring it`);
      };
      const dir = await locateExplicit(spec, this.searchDirs, cwd, homeDir);
      if (dir === undefined) {
        problem(
          `plugin "${spec}" (from ${via}) is not installed`,
          'give a package name installed beside skopeo-ts or in this project, or the path of a package directory',
        );
        continue;
      }
      const result = await candidateAt(dir, { kind: 'explicit', via });
      if (result.kind === 'plugin') {
        candidates.push(result.candidate);
      } else {
        problem(
          result.kind === 'missing'
            ? `plugin "${spec}" (from ${via}): ${dir} has no package.json`
            : `plugin "${spec}" (from ${via}): ${result.info.name} is not a skopeo-ts transport plugin (its package.json has no "skopeo-ts" field)`,
          'a transport package declares "skopeo-ts": { "apiVersion": 1, "transports": [...] } in its package.json',
        );
      }
    }
    return candidates;
  }

  private async scan(): Promise<PluginCandidate[]> {
    const candidates: PluginCandidate[] = [];
    for (const dir of this.searchDirs) {
      for (const name of await scanNodeModules(dir.path)) {
        const path = join(dir.path, name);
        try {
          const result = await candidateAt(path, { kind: dir.origin });
          if (result.kind === 'plugin') candidates.push(result.candidate);
          else if (result.kind === 'not-a-plugin') {
            this.options.debug?.(`${path}: no "skopeo-ts" field in package.json; not a transport plugin`);
          }
        } catch (error) {
          // One broken package must not stop every command; --debug says why it was skipped.
          this.options.debug?.(`skipping ${path}: ${(error as Error).message}`);
        }
      }
    }
    return candidates;
  }
}
