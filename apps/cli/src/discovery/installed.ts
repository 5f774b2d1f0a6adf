// Candidates for packages installed in node_modules directories: read from their package.json,
// imported from their entry point only when chosen.
import { pathToFileURL } from 'node:url';
import type { CandidateSource, PluginCandidate } from './candidate.js';
import { packageEntryPoint } from './entry-point.js';
import { isFirstPartyPackage } from './first-party.js';
import { type PackageInfo, pluginDeclarationOf, readPackageInfo } from './package-json.js';

export type CandidateResult =
  | { kind: 'plugin'; candidate: PluginCandidate }
  /** The directory has no package.json. */
  | { kind: 'missing' }
  /** A package without a `skopeo-ts` field. */
  | { kind: 'not-a-plugin'; info: PackageInfo };

export function candidateFromPackage(info: PackageInfo, source: CandidateSource): CandidateResult {
  const declaration = pluginDeclarationOf(info);
  if (declaration === undefined) return { kind: 'not-a-plugin', info };
  return {
    kind: 'plugin',
    candidate: {
      packageName: info.name,
      packageVersion: info.version,
      apiVersion: declaration.apiVersion,
      transports: declaration.transports,
      firstParty: isFirstPartyPackage(info.name),
      source,
      location: info.dir,
      load: () => import(pathToFileURL(packageEntryPoint(info)).href),
    },
  };
}

/** Reads the package in `dir` as a candidate. */
export async function candidateAt(dir: string, source: CandidateSource): Promise<CandidateResult> {
  const info = await readPackageInfo(dir);
  if (info === undefined) return { kind: 'missing' };
  return candidateFromPackage(info, source);
}
