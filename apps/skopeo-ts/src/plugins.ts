// The transports skopeo-ts ships with: every `@skopeo-ts/transport-*` package among this
// package's dependencies. Adding a first-party transport is one line, in package.json's
// "dependencies"; nothing here changes. Each is imported only when a command uses one of its
// transports: the CLI reads the package's package.json (resolved from this package) first.
import { createRequire } from 'node:module';
import type { BundledPluginLoader, BundledPlugins } from '@skopeo-ts/cli';

export const FIRST_PARTY_TRANSPORT_PREFIX = '@skopeo-ts/transport-';

interface OwnPackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
}

// package.json sits one level up from both src/ and dist/; read at run time, not bundled.
export const packageJson = createRequire(import.meta.url)('../package.json') as OwnPackageJson;

/** The first-party transport packages a package.json depends on, sorted. */
export function bundledTransportPackages(json: OwnPackageJson = packageJson): string[] {
  return Object.keys(json.dependencies ?? {})
    .filter((name) => name.startsWith(FIRST_PARTY_TRANSPORT_PREFIX))
    .sort();
}

/** Imports `name` as this package would: resolved from here, not from the CLI. */
function loader(name: string): BundledPluginLoader {
  return () => import(name);
}

/**
 * `main()`'s bundledPlugins: a lazy loader per first-party transport package. The CLI finds
 * their package.json through `resolveFrom: import.meta.url` of this package.
 */
export const bundledPlugins: BundledPlugins = Object.freeze(
  Object.fromEntries(bundledTransportPackages().map((name) => [name, loader(name)])),
);
