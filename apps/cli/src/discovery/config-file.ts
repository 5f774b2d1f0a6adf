// The user's config file, `$XDG_CONFIG_HOME/skopeo-ts/config.json` (default
// ~/.config/skopeo-ts/config.json): `{ "plugins": ["package-or-path", ...] }`.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SkopeoError } from '@skopeo-ts/core';

export interface ConfigFile {
  path: string;
  /** Plugin specs; relative paths are already resolved against the file's directory. */
  plugins: string[];
}

export function configFilePath(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const configHome =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : join(homeDir, '.config');
  return join(configHome, 'skopeo-ts', 'config.json');
}

function isRelativePath(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..';
}

/** The config file, or undefined when there is none. A malformed file is an error naming it. */
export async function readConfigFile(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkopeoError('IO', `reading ${path}: ${(error as Error).message}`, { cause: error });
  }
  const fail = (reason: string): never => {
    throw new SkopeoError('INVALID_PLUGIN', `${path}: ${reason}`, {
      hint: 'the file holds { "plugins": ["package-name-or-path", ...] }',
    });
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('not a JSON object');
  const plugins = (json as { plugins?: unknown }).plugins ?? [];
  if (!Array.isArray(plugins) || !plugins.every((item) => typeof item === 'string' && item !== '')) {
    return fail('"plugins" must be a list of package names or paths');
  }
  const base = dirname(path);
  return {
    path,
    plugins: (plugins as string[]).map((spec) => (isRelativePath(spec) ? resolve(base, spec) : spec)),
  };
}
