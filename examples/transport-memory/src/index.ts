// skopeo-ts-transport-memory: an example third-party transport plugin.
//
// The default export is what skopeo-ts loads: a branded plugin object made by core's
// defineTransportPlugin. Its name and transports must match package.json ("name" and the
// "skopeo-ts" field), which the CLI reads before importing anything.
import { createRequire } from 'node:module';
import { defineTransportPlugin } from '@skopeo-ts/core';
import { memoryTransport } from './transport.js';

// package.json is one level up from both src/ (tests) and dist/ (the published package).
const packageJson = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export {
  MEMORY_TRANSPORT_NAME,
  MemoryReference,
  memoryTransport,
  parseMemoryReference,
} from './transport.js';
export { MEMORY_DIR_VARIABLE, storeRoot } from './store.js';

export default defineTransportPlugin({
  packageName: packageJson.name,
  packageVersion: packageJson.version,
  transports: [memoryTransport],
});
