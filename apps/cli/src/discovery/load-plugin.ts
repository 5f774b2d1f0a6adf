// Importing the one plugin a command needs, and checking what it exports against what its
// package.json promised.
import {
  API_VERSION,
  assertCompatiblePlugin,
  SkopeoError,
  SUPPORTED_API_VERSIONS,
  type Transport,
  type TransportPlugin,
} from '@skopeo-ts/core';
import { VERSION } from '../version.js';
import type { PluginCandidate } from './candidate.js';

export function isSupportedApiVersion(apiVersion: number): boolean {
  return SUPPORTED_API_VERSIONS.includes(apiVersion);
}

/** The error for a package whose declared plugin API version this CLI cannot use. */
export function incompatiblePluginError(candidate: PluginCandidate): SkopeoError {
  const newer = (candidate.apiVersion ?? 0) > API_VERSION;
  return new SkopeoError(
    'INCOMPATIBLE_PLUGIN',
    `${candidate.packageName}@${candidate.packageVersion} (${candidate.location}) implements plugin API version ${candidate.apiVersion}, but @skopeo-ts/cli ${VERSION} supports plugin API version ${SUPPORTED_API_VERSIONS.join(', ')}`,
    {
      hint: newer
        ? 'upgrade @skopeo-ts/cli (npm install -g @skopeo-ts/cli@latest), or install an older version of the plugin'
        : `install a version of ${candidate.packageName} built for plugin API version ${API_VERSION}`,
    },
  );
}

function defaultExport(module: unknown): unknown {
  if (typeof module === 'object' && module !== null && 'default' in module) {
    return (module as { default: unknown }).default;
  }
  return module;
}

/** Imports the candidate and returns its plugin object, checked with core's assertCompatiblePlugin. */
export async function loadPlugin(candidate: PluginCandidate): Promise<TransportPlugin> {
  let module: unknown;
  try {
    module = await candidate.load();
  } catch (error) {
    throw new SkopeoError(
      'INVALID_PLUGIN',
      `loading ${candidate.packageName} (${candidate.location}) failed: ${(error as Error).message}`,
      { cause: error, hint: 'reinstall the package; if it is built from source, build it first' },
    );
  }
  return assertCompatiblePlugin(defaultExport(module), `${candidate.packageName} (${candidate.location})`);
}

/** The transport `name` from a loaded plugin; an error when the plugin does not have it. */
export function transportFromPlugin(
  plugin: TransportPlugin,
  candidate: PluginCandidate,
  name: string,
): Transport {
  const transport = plugin.transports.find((candidateTransport) => candidateTransport.name === name);
  if (!transport) {
    const provided = plugin.transports.map((item) => item.name).join(', ');
    throw new SkopeoError(
      'INVALID_PLUGIN',
      `${candidate.packageName} (${candidate.location}) declares the "${name}" transport in its package.json, but its plugin provides only: ${provided}`,
      { hint: 'the "transports" list in package.json must match the plugin object' },
    );
  }
  return transport;
}
