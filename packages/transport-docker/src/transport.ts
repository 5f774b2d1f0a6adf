// The docker transport object: parses `//NAME[:TAG|@DIGEST]`, lists tags and repositories.
import {
  type Context,
  type ImageReference,
  InvalidReferenceError,
  type ListTagsResult,
  parseDockerTransportReference,
  type Transport,
} from '@skopeo-ts/core';
import { DockerImageReference } from './reference.js';
import { type DockerTransportOptions, DockerRuntime } from './runtime.js';
import { listRepositories, listTags, type PageOptions } from './tags.js';

export interface DockerTransport extends Transport {
  parseReference(reference: string): DockerImageReference;
  listTags(reference: ImageReference, ctx: Context, options?: PageOptions): Promise<ListTagsResult>;
  listRepositories(location: string, ctx: Context, options?: PageOptions): Promise<string[]>;
}

/**
 * A docker transport. The default export uses the context alone for credentials and TLS; pass
 * `settings` to take them (and mirrors, remapping, proxies) from configuration files.
 */
export function createDockerTransport(options: DockerTransportOptions = {}): DockerTransport {
  const runtime = new DockerRuntime(options);
  const transport: DockerTransport = {
    name: 'docker',
    parseReference(reference: string): DockerImageReference {
      return new DockerImageReference(transport, parseDockerTransportReference(reference), runtime);
    },
    validatePolicyScope(scope: string): void {
      // As containers/image: any non-empty scope may be written; one that never matches is harmless.
      if (scope.trim() !== scope || /\s/.test(scope)) {
        throw new InvalidReferenceError(scope, 'a docker policy scope has no white space');
      }
    },
    listTags(reference: ImageReference, ctx: Context, pageOptions?: PageOptions): Promise<ListTagsResult> {
      const ref = reference.dockerReference;
      if (reference.transport.name !== 'docker' || ref === undefined) {
        throw new InvalidReferenceError(reference.toString(), 'listing tags needs a docker:// reference');
      }
      return listTags(ref, ctx, runtime, pageOptions);
    },
    listRepositories(location: string, ctx: Context, pageOptions?: PageOptions): Promise<string[]> {
      return listRepositories(location, ctx, runtime, pageOptions);
    },
  };
  return transport;
}

export const dockerTransport: DockerTransport = createDockerTransport();
