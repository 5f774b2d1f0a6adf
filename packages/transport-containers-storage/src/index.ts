// @skopeo-ts/transport-containers-storage: the containers-storage: transport as a plugin.
import { defineTransportPlugin } from '@skopeo-ts/core';
import packageJson from '../package.json' with { type: 'json' };
import { containersStorageTransport } from './transport.js';

export { containersStorageTransport } from './transport.js';
export { StorageReference } from './reference.js';
export {
  formatReferenceText,
  type ParsedStorageReference,
  parseStorageReferenceText,
  type StoreSpec,
} from './reference-text.js';
export { StorageImageSource } from './source.js';
export { StorageImageDestination } from './destination.js';
export { loadStoreConfig, parseStorageConf, type StoreConfig } from './store/config.js';
export { resolveStoreLocation, Store, type StoreLocation } from './store/store.js';
export { layerId } from './store/layer-id.js';
export { bigDataFileName } from './store/big-data.js';

const plugin = defineTransportPlugin({
  packageName: packageJson.name,
  packageVersion: packageJson.version,
  transports: [containersStorageTransport],
});

export default plugin;
