// `pnpm pack` of workspace packages, as they would be published: pnpm rewrites `workspace:`
// ranges to the versions they stand for, and packs only what "files" lists.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageManagerEnv, runChecked } from './exec.js';

/** The monorepo's root directory. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** The package.json inside the tarball. */
  packageJson: Record<string, unknown>;
  /** Every file in the tarball, without the leading `package/`. */
  files: string[];
}

/** Packs the package in `WORKSPACE_ROOT/relativeDir` into `destination`. */
export async function packWorkspacePackage(relativeDir: string, destination: string): Promise<PackedPackage> {
  const before = new Set(await readdir(destination));
  await runChecked('pnpm', ['pack', '--pack-destination', destination], {
    cwd: join(WORKSPACE_ROOT, relativeDir),
    env: packageManagerEnv(),
  });
  const added = (await readdir(destination)).filter((file) => file.endsWith('.tgz') && !before.has(file));
  if (added.length !== 1) {
    throw new Error(`pnpm pack in ${relativeDir} made ${added.length} tarballs: ${added.join(', ')}`);
  }
  const tarball = join(destination, added[0] as string);
  const listing = await runChecked('tar', ['-tzf', tarball]);
  const files = listing.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
  const json = await runChecked('tar', ['-xzOf', tarball, 'package/package.json']);
  const packageJson = JSON.parse(json.stdout) as Record<string, unknown>;
  return {
    name: String(packageJson.name),
    version: String(packageJson.version),
    tarball,
    packageJson,
    files,
  };
}

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

/** `field name: range` for every range that still says `workspace:` (none may be left). */
export function workspaceRanges(packageJson: Record<string, unknown>): string[] {
  const left: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const ranges = (packageJson[field] ?? {}) as Record<string, string>;
    for (const [name, range] of Object.entries(ranges)) {
      if (range.startsWith('workspace:')) left.push(`${field} ${name}: ${range}`);
    }
  }
  return left;
}
