// What the configuration readers take from the caller's environment, resolved once at the
// boundary: the functions below this never read process.env, os.homedir() or the uid themselves.
import os from 'node:os';
import path from 'node:path';
import type { Context } from '@skopeo-ts/core';

export type EnvMap = Readonly<Record<string, string | undefined>>;

export interface ConfigEnvironment {
  /** Stands in for process.env (PATH for credential helpers, XDG_*, DOCKER_CONFIG, proxies...). */
  readonly env: EnvMap;
  /** The user's home directory (~). */
  readonly homeDir: string;
  /**
   * Prefix for the built-in absolute paths (/etc/containers, /etc/docker, /run/containers,
   * /usr/share/containers), like containers/image's RootForImplicitAbsolutePaths: '' is the real
   * root. Paths under the home directory and paths from the environment are never prefixed.
   */
  readonly systemRoot: string;
  /** Effective uid: /run/containers/UID/auth.json and the rootless drop-in directories. */
  readonly uid: number;
  readonly debug: ((message: string) => void) | undefined;
}

/** The environment of a Context: `ctx.env ?? process.env`, `ctx.homeDir ?? os.homedir()`. */
export function configEnvironment(
  ctx?: Context,
  overrides: Partial<ConfigEnvironment> = {},
): ConfigEnvironment {
  return {
    env: overrides.env ?? ctx?.env ?? process.env,
    homeDir: overrides.homeDir ?? ctx?.homeDir ?? os.homedir(),
    systemRoot: overrides.systemRoot ?? '',
    uid: overrides.uid ?? process.geteuid?.() ?? 0,
    debug: overrides.debug ?? ctx?.debug,
  };
}

/** A built-in absolute path under the environment's systemRoot. */
export function systemPath(environment: ConfigEnvironment, absolute: string): string {
  return environment.systemRoot === '' ? absolute : path.join(environment.systemRoot, absolute);
}

/** An environment variable, treating the empty string as unset. */
export function envValue(environment: ConfigEnvironment, name: string): string | undefined {
  const value = environment.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Node's error code of a failed file-system call, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
