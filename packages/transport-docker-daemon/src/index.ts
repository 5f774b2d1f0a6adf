// @skopeo-ts/transport-docker-daemon: the docker-daemon: transport as a skopeo-ts plugin.
import { defineTransportPlugin } from '@skopeo-ts/core';
import packageJson from '../package.json' with { type: 'json' };
import { dockerDaemonTransport } from './transport.js';

export { dockerDaemonTransport } from './transport.js';
export { DaemonImageReference } from './reference.js';
export {
  type DaemonReferenceTarget,
  daemonReferenceText,
  engineImageName,
  parseDaemonReferenceText,
} from './reference-text.js';
export {
  type DaemonHost,
  type DaemonHostOrigin,
  DEFAULT_DAEMON_HOST,
  DEFAULT_REMOTE_SOCKET,
  parseDaemonHost,
  resolveDaemonHost,
} from './host/parse.js';
export { MAX_API_VERSION, MIN_API_VERSION, negotiateApiVersion } from './engine/api-version.js';
export {
  checkHostKey,
  type HostKeyVerdict,
  hostMatches,
  type KnownHostEntry,
  knownHostsName,
  parseKnownHosts,
} from './host/known-hosts.js';

const plugin = defineTransportPlugin({
  packageName: packageJson.name,
  packageVersion: packageJson.version,
  transports: [dockerDaemonTransport],
});

export default plugin;
