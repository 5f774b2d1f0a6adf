// @skopeo-ts/transport-dir: skopeo's `dir:` transport. The default export is the plugin object
// the CLI loads; the named exports are for library use.
import { createRequire } from 'node:module';
import { defineTransportPlugin } from '@skopeo-ts/core';
import { dirTransport } from './transport.js';

// Read at run time (not bundled): package.json sits one level up from both src/ and dist/.
const packageJson = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export { dirTransport, parseDirReference } from './transport.js';
export { DirReference } from './reference.js';
export { DirImageSource } from './source.js';
export { DirImageDestination, type DirTransportOptions } from './destination.js';
export {
  blobFileName,
  DIR_TRANSPORT_NAME,
  formatVersion,
  MANIFEST_FILE,
  manifestFileName,
  signatureFileName,
  VERSION_FILE,
} from './layout.js';

export default defineTransportPlugin({
  packageName: packageJson.name,
  packageVersion: packageJson.version,
  transports: [dirTransport],
});
