// The memory transport: images held in this process, used as the other end of every copy the
// suite makes (and as a transport the suite runs against, to test the suite itself).
// References are `memory:NAME`, NAME being '/'-separated parts of letters, digits, '.', '_', '-'.
import {
  type Context,
  defineTransportPlugin,
  type ImageDestination,
  type ImageReference,
  ImageNotFoundError,
  type ImageSource,
  InvalidReferenceError,
  type LayerCompression,
  SkopeoError,
  type Transport,
  type TransportPlugin,
  throwIfAborted,
  UnsupportedError,
} from '@skopeo-ts/core';
import packageJson from '../../package.json' with { type: 'json' };
import { existingImageConflict, MemoryDestination } from './destination.js';
import { MemorySource } from './source.js';
import { MemoryImageStore } from './store.js';

export interface MemoryTransportOptions {
  /** Transport name, the prefix of its references. Default `memory`. */
  name?: string;
  /** Manifest types kept as they are, most preferred first; undefined (default): all. */
  supportedManifestTypes?: readonly string[];
  /** Default `preserve`. */
  desiredLayerCompression?: LayerCompression;
  /** Default true. */
  supportsManifestLists?: boolean;
  /** Default true. */
  supportsSignatures?: boolean;
  /** Default true; false makes delete() fail with UNSUPPORTED. */
  canDelete?: boolean;
  /**
   * Two destinations open on one name at once: `last-commit-wins` (default) lets both write and
   * the last commit replace the image whole; `conflict` refuses the second with CONFLICT.
   */
  concurrentWrites?: 'last-commit-wins' | 'conflict';
  /**
   * Writing to a name that holds an image: `replace` (default) replaces it at commit; `refuse`
   * fails with CONFLICT, when the destination opens or, if the image appeared meanwhile, at commit.
   */
  existingImages?: 'replace' | 'refuse';
  /**
   * Like a Docker engine: at commit, layers are stored uncompressed and the image is described
   * by a Docker schema 2 manifest of the store's own making. Single images only. Default false.
   */
  ownManifests?: boolean;
}

export interface MemoryTransport {
  readonly transport: Transport;
  /** A plugin holding just this transport. */
  readonly plugin: TransportPlugin;
  readonly store: MemoryImageStore;
  /** Parses `NAME` (without the `memory:` prefix). */
  reference(name: string): ImageReference;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const transportName = options.name ?? 'memory';
  const store = new MemoryImageStore();
  const settings = {
    supportedManifestTypes: options.supportedManifestTypes,
    desiredLayerCompression: options.desiredLayerCompression ?? 'preserve',
    supportsManifestLists: options.supportsManifestLists ?? true,
    supportsSignatures: options.supportsSignatures ?? true,
    refuseExisting: options.existingImages === 'refuse',
    ownManifests: options.ownManifests ?? false,
  };
  const locking = options.concurrentWrites === 'conflict';

  const makeReference = (name: string): ImageReference => {
    const reference: ImageReference = {
      transport,
      withinTransport: name,
      dockerReference: undefined,
      toString: () => `${transportName}:${name}`,
      policyIdentity: () => name,
      policyNamespaces: () => [],
      async newSource(ctx: Context): Promise<ImageSource> {
        throwIfAborted(ctx.signal);
        const image = store.image(name);
        if (image === undefined) throw new ImageNotFoundError(`no image at ${reference.toString()}`);
        return new MemorySource(reference, store, image);
      },
      async newDestination(ctx: Context): Promise<ImageDestination> {
        throwIfAborted(ctx.signal);
        if (locking && !store.claim(name)) {
          throw new SkopeoError('CONFLICT', `${reference.toString()} is being written by another copy`, {
            hint: 'wait for the other copy to finish, then try again',
          });
        }
        if (settings.refuseExisting && store.image(name) !== undefined) {
          if (locking) store.release(name);
          throw existingImageConflict(reference.toString());
        }
        const release = locking ? () => store.release(name) : () => {};
        return new MemoryDestination(reference, store, name, settings, release);
      },
      async delete(ctx: Context): Promise<void> {
        throwIfAborted(ctx.signal);
        if (options.canDelete === false) {
          throw new UnsupportedError(`deleting images is not supported by this ${transportName}: transport`);
        }
        if (!store.deleteImage(name)) throw new ImageNotFoundError(`no image at ${reference.toString()}`);
      },
    };
    return reference;
  };

  const transport: Transport = {
    name: transportName,
    parseReference(input: string): ImageReference {
      if (input === '') throw new InvalidReferenceError(`${transportName}:`, 'the image name is empty');
      if (!NAME_PATTERN.test(input)) {
        throw new InvalidReferenceError(
          `${transportName}:${input}`,
          `"${input}" is not a valid name: use "/"-separated parts made of letters, digits, ".", "_" and "-", each starting with a letter or digit`,
        );
      }
      return makeReference(input);
    },
  };

  const plugin = defineTransportPlugin({
    packageName: packageJson.name,
    packageVersion: packageJson.version,
    transports: [transport],
  });

  return { transport, plugin, store, reference: (name) => transport.parseReference(name) };
}
