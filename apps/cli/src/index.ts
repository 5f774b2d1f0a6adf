// @skopeo-ts/cli as a library: run the CLI from another package (e.g. the batteries-included
// `skopeo-ts`, which hands in every first-party transport and its own version), and give that
// package's bin the same process wiring (runBin).
export { main, type MainOptions } from './main.js';
export { runBin, type RunBinOptions } from './run-bin.js';
export type { OutputStream } from './app.js';
export type { BundledPluginDescription, BundledPluginLoader, BundledPlugins } from './discovery/bundled.js';
export { VERSION, type VersionInfo } from './version.js';
