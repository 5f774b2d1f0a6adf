// The CLI's version, written into the bundle by tsup from package.json, and the text `--version`
// prints: skopeo's form (`skopeo version 1.9.3`), or an embedding package's own name and version
// followed by the CLI's.
declare const __SKOPEO_TS_CLI_VERSION__: string | undefined;

export const VERSION: string =
  typeof __SKOPEO_TS_CLI_VERSION__ === 'string' ? __SKOPEO_TS_CLI_VERSION__ : '0.0.0-dev';

/** What an embedding package reports as its version: `main(argv, { version: { name, version } })`. */
export interface VersionInfo {
  /** The command's or package's name, e.g. "skopeo-ts". */
  name: string;
  /** Its version, e.g. its package.json "version". */
  version: string;
}

/**
 * The `--version` line, without the newline: `skopeo-ts version 0.1.0` for the CLI itself;
 * `NAME version VERSION (@skopeo-ts/cli 0.1.0)` for an embedder.
 */
export function versionText(embedder?: VersionInfo): string {
  if (embedder === undefined) return `skopeo-ts version ${VERSION}`;
  return `${embedder.name} version ${embedder.version} (@skopeo-ts/cli ${VERSION})`;
}
