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
  /**
   * Copying onto a reference that already holds an image.
   * `replace` (default): the new image replaces the old one whole.
   * `refuse`: the copy fails with CONFLICT and the old image stays whole (docker-archive files,
   * as skopeo). Needs `concurrentWriters.sameReference: 'error'`.
   */
  existingImage?: ExistingImageOutcome;
  /**
   * The store makes its own manifest of what it is given (a Docker engine: `docker save` writes
   * one): the manifest read back, and its digest, may differ from the one the copy wrote. The
   * suite then compares the config bytes, the layer DiffIDs and the media types instead of
   * manifest and layer digests. Default false.
   */
  storesOwnManifest?: boolean;
  /**
   * The compression layers are read back with, whatever the copy sent (a Docker engine keeps
   * layers uncompressed: `'none'`). Default: what `layerCompression` makes of the source's.
   */
  storedLayerCompression?: StoredLayerCompression;
}

/** What copying onto an existing image does. */
export type ExistingImageOutcome = 'replace' | 'refuse';

/** A compression layers are stored with, regardless of what was sent. */
export type StoredLayerCompression = 'none' | 'gzip';

export interface ConformanceTarget {
  /** The transport to test, as its plugin names it (the reference prefix), e.g. `dir`. */
  name: string;
  /**
   * Tells apart several runs of the suite against one transport in one file (e.g. with other
   * transport options): the suite is titled `NAME (VARIANT): transport conformance`.
   */
  variant?: string;
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
  /** The store writes its own manifest: manifest digests are not kept. Default false. */
  storesOwnManifest?: boolean;
  /** Layers come back with this compression whatever was sent. */
  storedLayerCompression?: StoredLayerCompression | undefined;
}

export interface ResolvedTarget {
  name: string;
  /** `name`, with the variant in parentheses when there is one. */
  title: string;
  plugin: TransportPlugin;
  transport: Transport;
  capabilities: Omit<
    Required<TransportCapabilities>,
    'concurrentWriters' | 'manifestTypes' | 'storedLayerCompression'
  > & {
    concurrentWriters: ConcurrentWriters;
    manifestTypes: readonly string[] | undefined;
    storedLayerCompression: StoredLayerCompression | undefined;
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

/** Refuses capabilities that contradict each other, naming the target. */
function checkCapabilities(name: string, capabilities: ResolvedTarget['capabilities']): void {
  const problem = (text: string) => new Error(`conformance target "${name}": ${text}`);
  if (!['replace', 'refuse'].includes(capabilities.existingImage)) {
    throw problem(`existingImage must be 'replace' or 'refuse', not ${String(capabilities.existingImage)}`);
  }
  if (capabilities.existingImage === 'refuse' && capabilities.concurrentWriters.sameReference === 'safe') {
    throw problem(
      "existingImage 'refuse' with concurrentWriters.sameReference 'safe': two copies into one reference cannot both succeed when the second must refuse the first's image",
    );
  }
  if (capabilities.storesOwnManifest && capabilities.manifestLists) {
    throw problem(
      'storesOwnManifest with manifestLists: the suite cannot yet match list entries of a store that makes its own manifests',
    );
  }
  const stored = capabilities.storedLayerCompression;
  if (stored !== undefined && stored !== 'none' && stored !== 'gzip') {
    throw problem(`storedLayerCompression must be 'none' or 'gzip', not ${String(stored)}`);
  }
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
    existingImage: target.capabilities.existingImage ?? 'replace',
    storesOwnManifest: target.capabilities.storesOwnManifest ?? false,
    storedLayerCompression: target.capabilities.storedLayerCompression,
  };
  checkCapabilities(target.name, capabilities);
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
    title: target.variant === undefined ? target.name : `${target.name} (${target.variant})`,
    plugin,
    transport,
    capabilities,
    policy: {
      manifestTypes: capabilities.manifestTypes,
      layerCompression: capabilities.layerCompression,
      manifestLists: capabilities.manifestLists,
      storesOwnManifest: capabilities.storesOwnManifest,
      storedLayerCompression: capabilities.storedLayerCompression,
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
