// Plugins an embedding package hands in (the batteries-included `skopeo-ts` package):
//   main(argv, { bundledPlugins: { '@skopeo-ts/transport-oci': () => import('@skopeo-ts/transport-oci') } })
// Their package.json is still read before anything is imported: given with the plugin
// (`{ load, packageJson }`), or resolved from the embedder's location (`resolveFrom`), or, for a
// first-party package, known from the CLI's own map.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { SkopeoError } from '@skopeo-ts/core';
import type { PluginCandidate } from './candidate.js';
import { firstPartyTransportsOf, isFirstPartyPackage } from './first-party.js';
import { type PackageInfo, packageInfoFromJson, pluginDeclarationOf } from './package-json.js';

export type BundledPluginLoader = () => Promise<unknown>;

export interface BundledPluginDescription {
  /** Imports the plugin package, e.g. `() => import('@skopeo-ts/transport-oci')`. */
  load: BundledPluginLoader;
  /**
   * The package's package.json: its contents, or a function that returns them (a JSON module
   * namespace is fine, e.g. `() => import('pkg/package.json', { with: { type: 'json' } })`).
   */
  packageJson?: unknown;
}

export type BundledPlugins = Readonly<Record<string, BundledPluginLoader | BundledPluginDescription>>;

function unwrapJsonModule(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'default' in value && !('name' in value)) {
    return (value as { default: unknown }).default;
  }
  return value;
}

async function packageJsonOf(
  name: string,
  description: BundledPluginDescription,
  resolveFrom: string | URL | undefined,
): Promise<PackageInfo | undefined> {
  if (description.packageJson !== undefined) {
    const given = description.packageJson;
    const json = unwrapJsonModule(typeof given === 'function' ? await (given as () => unknown)() : given);
    return packageInfoFromJson(json, 'bundled', `the package.json given for bundled plugin ${name}`);
  }
  if (resolveFrom === undefined) return undefined;
  let path: string;
  try {
    path = createRequire(resolveFrom).resolve(`${name}/package.json`);
  } catch (error) {
    throw new SkopeoError(
      'INVALID_PLUGIN',
      `bundled plugin ${name}: cannot find its package.json from ${String(resolveFrom)}`,
      {
        cause: error,
        hint: 'the package must export "./package.json", or the embedder must pass { load, packageJson }',
      },
    );
  }
  return packageInfoFromJson(JSON.parse(await readFile(path, 'utf8')), dirname(path), path);
}

/** Candidates for the embedder's plugins, in the order given. */
export async function bundledCandidates(
  plugins: BundledPlugins,
  resolveFrom: string | URL | undefined,
): Promise<PluginCandidate[]> {
  const candidates: PluginCandidate[] = [];
  for (const [name, entry] of Object.entries(plugins)) {
    const description: BundledPluginDescription = typeof entry === 'function' ? { load: entry } : entry;
    const info = await packageJsonOf(name, description, resolveFrom);
    const declaration = info ? pluginDeclarationOf(info) : undefined;
    const transports = declaration?.transports ?? firstPartyTransportsOf(name);
    if (transports.length === 0) {
      throw new SkopeoError(
        'INVALID_PLUGIN',
        `bundled plugin ${name}: cannot tell which transports it provides`,
        {
          hint: 'pass { load, packageJson } (with its "skopeo-ts" field) or resolveFrom: import.meta.url to main()',
        },
      );
    }
    candidates.push({
      packageName: name,
      packageVersion: info?.version ?? '',
      apiVersion: declaration?.apiVersion,
      transports,
      firstParty: isFirstPartyPackage(name),
      source: { kind: 'bundled' },
      location: info && info.dir !== 'bundled' ? info.dir : 'bundled',
      load: description.load,
    });
  }
  return candidates;
}
