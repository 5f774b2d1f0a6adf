// htpasswd files for docker-registry's Basic auth, made by apache2-utils' htpasswd (bcrypt).
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '@skopeo-ts/testkit';

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
export function htpasswdConfig(path: string) {
  return { auth: { htpasswd: { realm: 'skopeo-ts-test', path } } };
}
