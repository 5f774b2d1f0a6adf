// The plugin object a transport package exports by default, branded so that a plugin built
// against another copy of core is still recognised (no instanceof across packages).
import { SkopeoError } from '../errors.js';
import type { Transport } from './transport.js';

/** The contract version this core implements. */
export const API_VERSION = 1;
/** Contract versions this core still accepts (through adapters when older). */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];

export const PLUGIN_BRAND = 'skopeo-ts.transport-plugin';

export interface TransportPlugin {
  readonly brand: typeof PLUGIN_BRAND;
  readonly apiVersion: number;
  /** npm package name. */
  readonly packageName: string;
  readonly packageVersion: string;
  readonly transports: readonly Transport[];
}

export interface TransportPluginDefinition {
  packageName: string;
  packageVersion: string;
  transports: readonly Transport[];
}

export function defineTransportPlugin(definition: TransportPluginDefinition): TransportPlugin {
  if (definition.transports.length === 0) {
    throw new SkopeoError('INVALID_PLUGIN', `plugin ${definition.packageName} declares no transport`);
  }
  return Object.freeze({ brand: PLUGIN_BRAND, apiVersion: API_VERSION, ...definition });
}

export function isTransportPlugin(value: unknown): value is TransportPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<TransportPlugin>;
  return (
    candidate.brand === PLUGIN_BRAND &&
    typeof candidate.apiVersion === 'number' &&
    Array.isArray(candidate.transports)
  );
}

/**
 * Checks a loaded module's default export and returns it as a plugin of the current API version.
 * `source` names where it came from, for error messages.
 */
export function assertCompatiblePlugin(value: unknown, source: string): TransportPlugin {
  if (!isTransportPlugin(value)) {
    throw new SkopeoError(
      'INVALID_PLUGIN',
      `${source} does not export a skopeo-ts transport plugin as its default export`,
      { hint: 'a transport package must `export default defineTransportPlugin({...})` from @skopeo-ts/core' },
    );
  }
  if (!SUPPORTED_API_VERSIONS.includes(value.apiVersion)) {
    throw new SkopeoError(
      'INCOMPATIBLE_PLUGIN',
      `${source} implements plugin API version ${value.apiVersion}, but this @skopeo-ts/core supports version ${SUPPORTED_API_VERSIONS.join(', ')}`,
      { hint: 'install versions of the plugin and of @skopeo-ts/cli that share an API version' },
    );
  }
  return value;
}
