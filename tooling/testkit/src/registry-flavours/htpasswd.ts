// docker-registry with htpasswd Basic auth; the file is made by apache2-utils' htpasswd (bcrypt,
// the only hash distribution accepts).
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '../peers.js';
import {
  mergeRegistryConfig,
  type RegistryConfig,
  type RegistryOptions,
  type RunningRegistry,
} from '../registry.js';
import { type Cleanup, helperDir, runCleanups, startWithHelpers } from './flavoured.js';

export const HTPASSWD_REALM = 'skopeo-ts-test';

/** Writes `dir/htpasswd` with a bcrypt line per user; returns its path. */
export async function writeHtpasswd(dir: string, users: Record<string, string>): Promise<string> {
  const htpasswd = requirePeer('htpasswd', 'apache2-utils');
  const lines = Object.entries(users).map(([user, password]) =>
    execFileSync(htpasswd, ['-Bbn', user, password], { encoding: 'utf8' }).trim(),
  );
  const path = join(dir, 'htpasswd');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** The registry config fragment for htpasswd Basic auth. */
export function htpasswdConfig(path: string): RegistryConfig {
  return { auth: { htpasswd: { realm: HTPASSWD_REALM, path } } };
}

export interface HtpasswdRegistryOptions extends RegistryOptions {
  /** User name → password (default: one user, `tester`, with a fixed password). */
  users?: Record<string, string>;
}

export interface HtpasswdRegistry extends RunningRegistry {
  readonly users: Readonly<Record<string, string>>;
  readonly htpasswdPath: string;
  /** The realm of its `WWW-Authenticate: Basic realm="…"` challenge. */
  readonly realm: string;
}

export const DEFAULT_HTPASSWD_USERS: Readonly<Record<string, string>> = {
  tester: 'htpasswd-test-password-4242',
};

/** docker-registry over plain HTTP that answers 401 Basic to anyone without a listed user. */
export async function startHtpasswdRegistry(
  options: HtpasswdRegistryOptions = {},
): Promise<HtpasswdRegistry> {
  const { users = DEFAULT_HTPASSWD_USERS, ...registryOptions } = options;
  const cleanups: Cleanup[] = [];
  try {
    const dir = await helperDir('skopeo-ts-registry-htpasswd', cleanups);
    const htpasswdPath = await writeHtpasswd(dir.path, users);
    return await startWithHelpers(
      {
        ...registryOptions,
        config: mergeRegistryConfig(htpasswdConfig(htpasswdPath), registryOptions.config ?? {}),
      },
      cleanups,
      { users: { ...users }, htpasswdPath, realm: HTPASSWD_REALM },
    );
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}
