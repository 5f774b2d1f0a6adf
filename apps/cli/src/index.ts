// @skopeo-ts/cli as a library: run the CLI from another package (e.g. the batteries-included
// `skopeo-ts`, which hands in every first-party transport).
export { main, type MainOptions } from './main.js';
export type { OutputStream } from './app.js';
export type { BundledPluginDescription, BundledPluginLoader, BundledPlugins } from './discovery/bundled.js';
export { VERSION } from './version.js';
