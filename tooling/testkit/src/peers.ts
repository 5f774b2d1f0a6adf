// Real peers (docker-registry, skopeo, ...) come from Debian packages. A test never skips when
// one is missing: it fails and says which package to install.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Directories searched after PATH: sbin dirs are often missing from a non-login PATH. */
const FALLBACK_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of `binary`, or undefined when it is not installed. */
export function findPeer(binary: string): string | undefined {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of [...pathDirs, ...FALLBACK_DIRS]) {
    const candidate = join(dir, binary);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The absolute path of `binary`; throws, naming the Debian package that provides it, when it is
 * not installed.
 */
export function requirePeer(binary: string, debianPackage: string): string {
  const found = findPeer(binary);
  if (found !== undefined) return found;
  throw new Error(
    `${binary} is not installed: install the Debian package ${debianPackage} ` +
      `(apt-get install -y ${debianPackage}), or run the README's test command which installs every test peer`,
  );
}
