// skopeo-ts as a library: @skopeo-ts/cli's main() with every first-party transport bundled.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main as cliMain, type MainOptions, type VersionInfo } from '@skopeo-ts/cli';
import { bundledPlugins, packageJson } from './plugins.js';

export { bundledPlugins, bundledTransportPackages } from './plugins.js';

/**
 * @skopeo-ts/cli's options, less `resolveFrom`: bundled plugins given as bare loaders are resolved
 * from this package (pass `{ load, packageJson }` for a plugin installed elsewhere).
 */
export type SkopeoTsMainOptions = Omit<MainOptions, 'resolveFrom'>;

/** Where plugins "installed beside the CLI" are searched from: this package's own files. */
const INSTALL_DIR = dirname(fileURLToPath(import.meta.url));

/** What `skopeo-ts --version` reports: this package, then the CLI it runs. */
export const VERSION_INFO: Readonly<VersionInfo> = Object.freeze({
  name: packageJson.name,
  version: packageJson.version,
});

/**
 * Runs `skopeo-ts ARGS...` with every first-party transport bundled and resolves to the exit
 * status. `options.bundledPlugins` are added to the bundled ones (and win for a package name
 * they share). `--version` prints this package's version (`skopeo-ts version X (@skopeo-ts/cli
 * Y)`) unless `options.version` says otherwise.
 */
export function main(argv: readonly string[], options: SkopeoTsMainOptions = {}): Promise<number> {
  return cliMain(argv, {
    installDir: INSTALL_DIR,
    ...options,
    version: options.version ?? VERSION_INFO,
    resolveFrom: import.meta.url,
    bundledPlugins: { ...bundledPlugins, ...options.bundledPlugins },
  });
}
