// Plugins named by the user: `--plugin` (repeatable), SKOPEO_TS_PLUGINS (comma-separated) and the
// config file. Each is a package name (looked up in the same node_modules directories as
// everything else) or a path to a package directory.
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { SearchDirectory } from './search-paths.js';

export interface ExplicitSpec {
  spec: string;
  /** Where the user said it: "--plugin", "SKOPEO_TS_PLUGINS" or "config file PATH". */
  via: string;
  /** --plugin on this command line: a plugin that cannot be used is an error, not a warning. */
  strict: boolean;
}

const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i;

export function isPathSpec(spec: string): boolean {
  return !PACKAGE_NAME.test(spec) || spec.startsWith('.');
}

export function explicitSpecs(
  flagValues: readonly string[],
  envValue: string | undefined,
  config: { path: string; plugins: readonly string[] } | undefined,
): ExplicitSpec[] {
  const specs: ExplicitSpec[] = flagValues.map((spec) => ({ spec, via: '--plugin', strict: true }));
  for (const spec of (envValue ?? '').split(',')) {
    const trimmed = spec.trim();
    if (trimmed !== '') specs.push({ spec: trimmed, via: 'SKOPEO_TS_PLUGINS', strict: false });
  }
  for (const spec of config?.plugins ?? []) {
    specs.push({ spec, via: `config file ${config?.path}`, strict: false });
  }
  return specs;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The package directory a spec names; undefined when it cannot be found. */
export async function locateExplicit(
  spec: string,
  searchDirs: readonly SearchDirectory[],
  cwd: string,
  homeDir: string,
): Promise<string | undefined> {
  if (isPathSpec(spec)) {
    let path = spec.startsWith('~/') ? join(homeDir, spec.slice(2)) : spec;
    path = isAbsolute(path) ? path : resolve(cwd, path);
    if (basename(path) === 'package.json') path = dirname(path);
    return (await isDirectory(path)) ? path : undefined;
  }
  for (const dir of searchDirs) {
    const candidate = join(dir.path, spec);
    if (await isDirectory(candidate)) return candidate;
  }
  return undefined;
}
