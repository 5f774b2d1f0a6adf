// @skopeo-ts/transport-docker-archive: the docker-archive: transport as a skopeo-ts plugin, and
// the archive reader/writer API the docker-daemon transport builds on.
import { defineTransportPlugin } from '@skopeo-ts/core';
import packageJson from '../package.json' with { type: 'json' };
import { dockerArchiveTransport } from './transport.js';

export { dockerArchiveTransport } from './transport.js';
export { DockerArchiveReference } from './reference.js';
export { type ParsedArchiveReference, parseArchiveReferenceText } from './reference-text.js';
export type { DockerArchiveOptions } from './options.js';
export { type ArchiveImageSelector, createArchiveStreamDestination, openArchiveSource } from './api.js';

const plugin = defineTransportPlugin({
  packageName: packageJson.name,
  packageVersion: packageJson.version,
  transports: [dockerArchiveTransport],
});

export default plugin;
