// docker://NAME[:TAG|@DIGEST] references, printed and identified for policies as skopeo does.
import {
  type Context,
  type DockerReference,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  isSkopeoError,
  SkopeoError,
  type Transport,
} from '@skopeo-ts/core';
import { isAbortError } from './client/errors.js';
import { asAborted } from './client/client.js';
import type { RegistryEndpoint } from './client/settings.js';
import { deleteImage } from './delete.js';
import { DockerImageDestination } from './destination.js';
import type { DockerRuntime } from './runtime.js';
import { DockerImageSource } from './source.js';

/**
 * Policy scopes from the most specific to the least, as containers/image: the repository, its
 * parent namespaces, the registry, then wildcard domains (`*.example.com`, `*.com`).
 */
export function dockerPolicyNamespaces(ref: DockerReference): string[] {
  const namespaces: string[] = [];
  let name = ref.name;
  for (;;) {
    namespaces.push(name);
    const slash = name.lastIndexOf('/');
    if (slash < 0) break;
    name = name.slice(0, slash);
  }
  // `name` is now the registry host: without its port, every parent domain as a wildcard.
  let host = name.startsWith('[') ? '' : name.replace(/:\d+$/, '');
  for (;;) {
    const dot = host.indexOf('.');
    if (dot < 0) break;
    host = host.slice(dot + 1);
    namespaces.push(`*.${host}`);
  }
  return namespaces;
}

export class DockerImageReference implements ImageReference {
  /** `//` + the familiar form, as skopeo prints it: `//busybox:latest`, `//quay.io/org/app@sha256:…`. */
  readonly withinTransport: string;

  constructor(
    readonly transport: Transport,
    readonly dockerReference: DockerReference,
    private readonly runtime: DockerRuntime,
  ) {
    this.withinTransport = `//${dockerReference.familiarString()}`;
  }

  toString(): string {
    return `${this.transport.name}:${this.withinTransport}`;
  }

  /** The full name with its tag or digest: `docker.io/library/busybox:latest`. */
  policyIdentity(): string {
    return this.dockerReference.toString();
  }

  policyNamespaces(): string[] {
    return dockerPolicyNamespaces(this.dockerReference);
  }

  async newSource(ctx: Context): Promise<ImageSource> {
    const settings = this.runtime.settings(ctx);
    const endpoints = await settings.endpoints.pullEndpoints(this.dockerReference);
    const open = (endpoint: RegistryEndpoint) =>
      new DockerImageSource(this, this.runtime.client(ctx, settings, endpoint), endpoint.repository, ctx);
    const [only] = endpoints;
    if (only === undefined) {
      throw new SkopeoError('INTERNAL', `no endpoint to pull ${this.dockerReference.toString()} from`);
    }
    if (endpoints.length === 1) return open(only);
    // Mirrors: the first endpoint that has the image is used for the whole image.
    const failures: { endpoint: RegistryEndpoint; error: unknown }[] = [];
    for (const endpoint of endpoints) {
      const source = open(endpoint);
      try {
        await source.getManifest(undefined, ctx.signal ? { signal: ctx.signal } : {});
        return source;
      } catch (error) {
        await source.close();
        if (isAbortError(error) || ctx.signal?.aborted) throw asAborted(error);
        failures.push({ endpoint, error });
      }
    }
    throw mirrorsFailed(failures);
  }

  async newDestination(ctx: Context): Promise<ImageDestination> {
    const settings = this.runtime.settings(ctx);
    const endpoint = await settings.endpoints.primaryEndpoint(this.dockerReference);
    return new DockerImageDestination(
      this,
      this.runtime.client(ctx, settings, endpoint),
      endpoint.repository,
      ctx,
    );
  }

  /** Deletes the manifest the tag or digest names: every tag on that digest goes with it. */
  delete(ctx: Context): Promise<void> {
    return deleteImage(this, ctx, this.runtime);
  }
}

/** The primary's error, with what each mirror said (skopeo: "mirrors also failed"). */
function mirrorsFailed(failures: { endpoint: RegistryEndpoint; error: unknown }[]): Error {
  const primary =
    [...failures].reverse().find((f) => f.endpoint.mirror !== true) ?? failures[failures.length - 1];
  if (primary === undefined) return new SkopeoError('INTERNAL', 'no endpoint was tried');
  const others = failures.filter((f) => f !== primary);
  const describe = (f: { endpoint: RegistryEndpoint; error: unknown }) =>
    `${f.endpoint.location}/${f.endpoint.repository}: ${f.error instanceof Error ? f.error.message : String(f.error)}`;
  const error = primary.error;
  const message = `${error instanceof Error ? error.message : String(error)} (mirrors also failed: ${others.map(describe).join('; ')})`;
  if (isSkopeoError(error)) {
    return new SkopeoError(error.code, message, {
      cause: error,
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
  return new SkopeoError('IO', message, { cause: error });
}
