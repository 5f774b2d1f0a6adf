// @skopeo-ts/transport-docker: the docker:// transport (container registries) as a skopeo-ts plugin.
import { defineTransportPlugin } from '@skopeo-ts/core';
import packageJson from '../package.json' with { type: 'json' };
import { dockerTransport } from './transport.js';

export { createDockerTransport, type DockerTransport, dockerTransport } from './transport.js';
export { DockerImageReference, dockerPolicyNamespaces } from './reference.js';
export { BIC_TRANSPORT, DockerImageSource } from './source.js';
export { DOCKER_DESTINATION_MANIFEST_TYPES, DockerImageDestination } from './destination.js';
export { resolveManifestDigest } from './delete.js';
export { nextLink, type PageOptions, parseRegistryLocation } from './tags.js';
export { DEFAULT_USER_AGENT, type DockerTransportOptions } from './runtime.js';
export { parseContentRange } from './blob-reader.js';
export { MAX_CHUNK_BYTES, uploadLocation } from './upload.js';
export * from './client/index.js';
export {
  type ConfigFileSettingsOptions,
  configFileSettings,
  createConfigFileSettings,
} from './config/registry-settings.js';

const plugin = defineTransportPlugin({
  packageName: packageJson.name,
  packageVersion: packageJson.version,
  transports: [dockerTransport],
});

export default plugin;
