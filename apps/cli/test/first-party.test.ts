// The first-party map (src/discovery/first-party.ts): the packages it calls released are exactly the
// transport packages committed in the workspace, so the CLI never tells users to `npm install` a
// package that does not exist, nor calls a published one "planned".
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  firstPartyPackageFor,
  firstPartyTransportNames,
  firstPartyTransportsOf,
  isReleasedFirstPartyPackage,
  releasedFirstPartyPackages,
} from '../src/discovery/first-party.js';
import { transportNotFoundError } from '../src/discovery/not-found.js';
import { PACKAGE_DIR } from './helpers/run-cli.js';

const WORKSPACE_ROOT = join(PACKAGE_DIR, '..', '..');

/**
 * Transport packages (a "skopeo-ts" field, not private) whose package.json is committed under
 * packages/: a package being written in the working tree is not released until it lands.
 * undefined when git cannot tell (not a git checkout).
 */
async function committedTransportPackages(): Promise<string[] | undefined> {
  const listed = spawnSync('git', ['ls-files', '--', 'packages/*/package.json'], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) return undefined;
  const names: string[] = [];
  for (const file of listed.stdout.split('\n').filter((line) => line !== '')) {
    const json = JSON.parse(await readFile(join(WORKSPACE_ROOT, file), 'utf8')) as {
      name?: string;
      private?: boolean;
      'skopeo-ts'?: unknown;
    };
    if (json['skopeo-ts'] !== undefined && json.private !== true && json.name) names.push(json.name);
  }
  return names.sort();
}

describe('first-party transports', () => {
  it('released are the transport packages committed in the workspace (update first-party.ts when one lands)', async () => {
    const committed = await committedTransportPackages();
    if (committed === undefined) return; // not a git checkout: nothing to compare with
    expect(committed).toContain('@skopeo-ts/transport-oci');
    expect([...releasedFirstPartyPackages()].sort()).toEqual(committed);
  });

  it('map each transport prefix to one package, and back', () => {
    for (const transport of firstPartyTransportNames()) {
      const packageName = firstPartyPackageFor(transport);
      expect(packageName, transport).toMatch(/^@skopeo-ts\/transport-[a-z-]+$/);
      expect(firstPartyTransportsOf(packageName ?? '')).toContain(transport);
    }
    expect(firstPartyTransportsOf('@skopeo-ts/transport-oci')).toEqual(['oci', 'oci-archive']);
    expect(firstPartyTransportsOf('@skopeo-ts/nothing')).toEqual([]);
    expect(firstPartyTransportsOf('constructor')).toEqual([]);
    expect(firstPartyPackageFor('constructor')).toBeUndefined();
    expect(isReleasedFirstPartyPackage('@skopeo-ts/transport-ostree')).toBe(false);
    expect(isReleasedFirstPartyPackage('toString')).toBe(false);
  });

  it('the missing-transport error sends users to npm only for released packages', () => {
    const released = transportNotFoundError('oci', 'oci:/x', ['dir']);
    expect(released.message).toContain('npm install -g @skopeo-ts/transport-oci');
    const planned = transportNotFoundError('ostree', 'ostree:x', ['dir', 'oci']);
    expect(planned.message).toBe(
      'the "ostree" transport is planned (package @skopeo-ts/transport-ostree) but not available in this release; installed transports: dir, oci',
    );
    expect(`${planned.message} ${planned.hint}`).not.toContain('npm install');
    const unknown = transportNotFoundError('nosuch', 'nosuch:x', []);
    expect(unknown.message).toBe('unknown transport "nosuch" in "nosuch:x"; installed transports: none');
  });
});
