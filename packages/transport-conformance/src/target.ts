// What a transport package tells the suite about itself, and the checked, defaulted form the
// tests use.
import {
  assertCompatiblePlugin,
  type Context,
  type ImageReference,
  type LayerCompression,
  splitTransportReference,
  type Transport,
  type TransportPlugin,
} from '@skopeo-ts/core';

/** What two copies writing at once must end in. */
export type ConcurrentWriteOutcome = 'safe' | 'error';

export interface ConcurrentWriters {
  /**
   * Two copies of different images into one reference at once.
   * `safe`: both succeed, and the reference ends holding one of the two images, whole.
   * `error`: one fails with a CONFLICT error, and the reference holds the other image, whole.
   */
  sameReference: ConcurrentWriteOutcome;
  /**
   * Two copies into two references of one location at once (`newLocation` with the same
   * scratch directory and two names: two tags of one OCI layout, two tags of one repository).
   * `safe`: both images are there afterwards, and so is an image written there earlier.
   * `error`: one fails with a CONFLICT error; the other image and the earlier one are there.
   */
  siblingReferences: ConcurrentWriteOutcome;
}

export interface TransportCapabilities {
  /** Manifest lists are stored: `multiArch: 'all'` copies keep the list and every image in it. */
  manifestLists: boolean;
  /** Signatures are stored and read back; when false, copying a signed image fails with UNSUPPORTED. */
  signatures: boolean;
  /** `ImageReference.delete` removes the image; when false it fails with UNSUPPORTED. */
  delete: boolean;
  /** A string is shorthand for `{ sameReference: it, siblingReferences: 'safe' }`. */
  concurrentWriters: ConcurrentWriteOutcome | ConcurrentWriters;
  /**
   * Manifest types stored as they are, most preferred first (the destination's
   * `supportedManifestTypes`); others are converted to the first one of their kind.
   * Omit when every type is stored as it is.
   */
  manifestTypes?: readonly string[];
  /** What the destination does to layers (its `desiredLayerCompression`). Default `preserve`. */
  layerCompression?: LayerCompression;
}

export interface ConformanceTarget {
  /** The transport to test, as its plugin names it (the reference prefix), e.g. `dir`. */
  name: string;
  /** The transport package's default export. */
  plugin: TransportPlugin;
  /**
   * A full reference (`name:...`) for an image called `name` in the location `scratch`, a fresh
   * empty directory of the running test: e.g. `dir:${scratch}/${name}` or
   * `oci:${scratch}/layout:${name}`. Two names in one scratch directory are "sibling references".
   */
  newLocation(scratch: string, name: string): string | Promise<string>;
  /** Texts after `name:` that parseReference must refuse with INVALID_REFERENCE (at least one). */
  invalidReferences: readonly string[];
  /** A full reference that parses but names no image, e.g. `dir:${scratch}/nothing-here`. */
  missingImage(scratch: string): string | Promise<string>;
  capabilities: TransportCapabilities;
  /** Context for every source and destination of the target (credentials, TLS, ...). */
  context?: Context;
  /** Runs once before the suite's tests (e.g. start a registry). */
  setup?(): void | Promise<void>;
  /** Runs once after them, even when they fail. */
  teardown?(): void | Promise<void>;
  /** Per-test timeout in milliseconds. Default 30 000. */
  timeoutMs?: number;
}

/** How the target stores what it is given, as the expectations need it. */
export interface StoragePolicy {
  manifestTypes: readonly string[] | undefined;
  layerCompression: LayerCompression;
  manifestLists: boolean;
}

export interface ResolvedTarget {
  name: string;
  plugin: TransportPlugin;
  transport: Transport;
  capabilities: Omit<Required<TransportCapabilities>, 'concurrentWriters' | 'manifestTypes'> & {
    concurrentWriters: ConcurrentWriters;
    manifestTypes: readonly string[] | undefined;
  };
  policy: StoragePolicy;
  context: Context;
  timeoutMs: number;
  invalidReferences: readonly string[];
  setup: () => Promise<void>;
  teardown: () => Promise<void>;
  /** Parses a full `name:...` reference with the target's transport. */
  parse(reference: string): ImageReference;
  /** The parsed reference of `newLocation(scratch, name)`. */
  location(scratch: string, name: string): Promise<ImageReference>;
  missingImage(scratch: string): Promise<ImageReference>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

function concurrentWriters(value: TransportCapabilities['concurrentWriters']): ConcurrentWriters {
  return typeof value === 'string' ? { sameReference: value, siblingReferences: 'safe' } : value;
}

/** Checks the target and fills in defaults; throws when the plugin does not hold the transport. */
export function resolveTarget(target: ConformanceTarget): ResolvedTarget {
  const plugin = assertCompatiblePlugin(target.plugin, `the plugin given for ${target.name}`);
  const transport = plugin.transports.find((candidate) => candidate.name === target.name);
  if (transport === undefined) {
    throw new Error(
      `conformance target "${target.name}": the plugin ${plugin.packageName} has no transport of that name (it has ${plugin.transports.map((t) => t.name).join(', ')})`,
    );
  }
  const capabilities = {
    manifestLists: target.capabilities.manifestLists,
    signatures: target.capabilities.signatures,
    delete: target.capabilities.delete,
    concurrentWriters: concurrentWriters(target.capabilities.concurrentWriters),
    manifestTypes: target.capabilities.manifestTypes,
    layerCompression: target.capabilities.layerCompression ?? 'preserve',
  };
  const parse = (reference: string): ImageReference => {
    const { transport: prefix, rest } = splitTransportReference(reference);
    if (prefix !== target.name) {
      throw new Error(
        `conformance target "${target.name}" gave a reference of another transport: ${reference}`,
      );
    }
    return transport.parseReference(rest);
  };
  return {
    name: target.name,
    plugin,
    transport,
    capabilities,
    policy: {
      manifestTypes: capabilities.manifestTypes,
      layerCompression: capabilities.layerCompression,
      manifestLists: capabilities.manifestLists,
    },
    context: target.context ?? {},
    timeoutMs: target.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    invalidReferences: target.invalidReferences,
    setup: async () => {
      await target.setup?.();
    },
    teardown: async () => {
      await target.teardown?.();
    },
    parse,
    location: async (scratch, name) => parse(await target.newLocation(scratch, name)),
    missingImage: async (scratch) => parse(await target.missingImage(scratch)),
  };
}
