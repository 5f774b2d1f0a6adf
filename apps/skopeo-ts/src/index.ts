// skopeo-ts as a library: @skopeo-ts/cli's main() with every first-party transport bundled.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main as cliMain, type MainOptions } from '@skopeo-ts/cli';
import { bundledPlugins } from './plugins.js';

export { bundledPlugins, bundledTransportPackages } from './plugins.js';

/**
 * @skopeo-ts/cli's options, less `resolveFrom`: bundled plugins given as bare loaders are resolved
 * from this package (pass `{ load, packageJson }` for a plugin installed elsewhere).
 */
export type SkopeoTsMainOptions = Omit<MainOptions, 'resolveFrom'>;

/** Where plugins "installed beside the CLI" are searched from: this package's own files. */
const INSTALL_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Runs `skopeo-ts ARGS...` with every first-party transport bundled and resolves to the exit
 * status. `options.bundledPlugins` are added to the bundled ones (and win for a package name
 * they share).
 */
export function main(argv: readonly string[], options: SkopeoTsMainOptions = {}): Promise<number> {
  return cliMain(argv, {
    installDir: INSTALL_DIR,
    ...options,
    resolveFrom: import.meta.url,
    bundledPlugins: { ...bundledPlugins, ...options.bundledPlugins },
  });
}
