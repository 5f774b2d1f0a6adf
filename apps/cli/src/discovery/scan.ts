// Listing transport packages in one node_modules directory by name alone (no package.json read):
// `skopeo-ts-transport-*`, `@scope/skopeo-ts-transport-*`, and the project's own
// `@skopeo-ts/transport-*` (so a first-party transport newer than this CLI is still found).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FIRST_PARTY_SCOPE } from './first-party.js';

const THIRD_PARTY_PREFIX = 'skopeo-ts-transport-';
const FIRST_PARTY_PREFIX = 'transport-';

export function isThirdPartyPluginName(name: string): boolean {
  const slash = name.indexOf('/');
  const base = name.startsWith('@') ? name.slice(slash + 1) : name;
  if (name.startsWith('@') && slash < 0) return false;
  return base.startsWith(THIRD_PARTY_PREFIX) && base.length > THIRD_PARTY_PREFIX.length;
}

async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return []; // absent or unreadable: nothing installed there
  }
}

/** Package names that look like transport plugins in `nodeModules`, first-party ones first. */
export async function scanNodeModules(nodeModules: string): Promise<string[]> {
  const firstParty: string[] = [];
  const thirdParty: string[] = [];
  for (const entry of (await listDirectory(nodeModules)).sort()) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      const scopeEntries = (await listDirectory(join(nodeModules, entry))).sort();
      for (const name of scopeEntries) {
        const full = `${entry}/${name}`;
        if (`${entry}/` === FIRST_PARTY_SCOPE) {
          if (name.startsWith(FIRST_PARTY_PREFIX)) firstParty.push(full);
        } else if (isThirdPartyPluginName(full)) {
          thirdParty.push(full);
        }
      }
    } else if (isThirdPartyPluginName(entry)) {
      thirdParty.push(entry);
    }
  }
  return [...firstParty, ...thirdParty];
}
