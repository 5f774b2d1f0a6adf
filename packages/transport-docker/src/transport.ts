// The docker transport object: parses `//NAME[:TAG|@DIGEST]`, lists tags and repositories, logs
// in and out (auth files).
import {
  type Context,
  type ImageReference,
  InvalidReferenceError,
  type ListTagsResult,
  type LoginCredentials,
  type LoginOptions,
  type LoginResult,
  type LogoutOptions,
  type LogoutResult,
  parseDockerTransportReference,
  type Transport,
} from '@skopeo-ts/core';
import { getLogin, login, logout } from './login.js';
import { DockerImageReference } from './reference.js';
import { type DockerTransportOptions, DockerRuntime } from './runtime.js';
import { listRepositories, listTags, type PageOptions } from './tags.js';

export interface DockerTransport extends Transport {
  parseReference(reference: string): DockerImageReference;
  listTags(reference: ImageReference, ctx: Context, options?: PageOptions): Promise<ListTagsResult>;
  listRepositories(location: string, ctx: Context, options?: PageOptions): Promise<string[]>;
  login(
    registry: string,
    credentials: LoginCredentials,
    ctx: Context,
    options?: LoginOptions,
  ): Promise<LoginResult>;
  logout(registry: string | undefined, ctx: Context, options: LogoutOptions): Promise<LogoutResult>;
  getLogin(registry: string, ctx: Context): Promise<string | undefined>;
}

/**
 * A docker transport. By default credentials, TLS, endpoints (mirrors, remapping) and proxies come
 * from skopeo's configuration files, read through the context; pass `settings` to replace that.
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
    login(registry, credentials, ctx, loginOptions) {
      return login(registry, credentials, ctx, runtime, loginOptions);
    },
    logout(registry, ctx, logoutOptions) {
      return logout(registry, ctx, logoutOptions);
    },
    getLogin(registry, ctx) {
      return getLogin(registry, ctx);
    },
  };
  return transport;
}

export const dockerTransport: DockerTransport = createDockerTransport();
