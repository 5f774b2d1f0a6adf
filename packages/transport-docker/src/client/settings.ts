// What the registry client needs to know about the user's setup, as narrow interfaces: where
// credentials come from, how to do TLS, which endpoint serves a reference, which proxy to use.
// The defaults here read only the Context (ctx.credentials, ctx.noCredentials, ctx.tls.verify), so
// everything works without configuration files; readers of auth.json, certs.d, registries.conf and
// the proxy variables implement the same interfaces and are passed to createDockerTransport.
import type { Context, Credentials, DockerReference } from '@skopeo-ts/core';

export interface CredentialSource {
  /**
   * Credentials for `registry` (host[:port] as in the reference, e.g. "docker.io") and, when the
   * request is about one repository, its path ("library/busybox"). undefined: anonymous.
   */
  forRegistry(registry: string, repository: string | undefined): Promise<Credentials | undefined>;
}

export interface TlsSettings {
  /** false skips certificate verification and allows plain http when https fails. */
  verify: boolean;
  /** Extra CA certificates (PEM), trusted besides the system's. */
  ca?: readonly (string | Buffer)[];
  /** Client certificate and key (PEM), for registries that require one. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface TlsSettingsSource {
  /** TLS settings for `registry` (host[:port] that is contacted). */
  forRegistry(registry: string): Promise<TlsSettings>;
}

/** One place a reference can be read from or written to. */
export interface RegistryEndpoint {
  /** host[:port] as the user names it ("docker.io" is contacted at registry-1.docker.io). */
  location: string;
  /** The repository path at that location (location remapping may change it). */
  repository: string;
  /** Plain http is allowed (and TLS errors are ignored) for this endpoint. */
  insecure: boolean;
  /** A pull mirror rather than the registry the reference names. */
  mirror?: boolean;
}

export interface EndpointResolver {
  /** Where to pull `ref` from, in order (mirrors first, then the primary location). */
  pullEndpoints(ref: DockerReference): Promise<RegistryEndpoint[]>;
  /** Where to push, delete and list tags of `ref`. Throws when the registry is blocked. */
  primaryEndpoint(ref: DockerReference): Promise<RegistryEndpoint>;
  /** The endpoint for registry-wide requests (the catalog) of the registry `host`. */
  registryEndpoint(host: string): Promise<RegistryEndpoint>;
}

export interface ProxyResolver {
  /** The proxy URL to reach `url` through, or undefined for a direct connection. */
  proxyFor(url: URL): string | undefined;
}

/** Everything the client takes from the user's setup. */
export interface RegistrySettings {
  credentials: CredentialSource;
  tls: TlsSettingsSource;
  endpoints: EndpointResolver;
  proxy: ProxyResolver;
}

/** Builds the settings for one operation's context; any part left out gets the default. */
export type RegistrySettingsFactory = (ctx: Context) => Partial<RegistrySettings>;

/** ctx.credentials, or nothing with ctx.noCredentials (skopeo's --creds / --no-creds). */
export function contextCredentialSource(ctx: Context): CredentialSource {
  return {
    async forRegistry() {
      if (ctx.noCredentials) return undefined;
      if (ctx.credentials === undefined || ctx.credentials.kind === 'anonymous') return undefined;
      return ctx.credentials;
    },
  };
}

/** ctx.tls.verify (default true); no extra CAs or client certificates. */
export function contextTlsSettings(ctx: Context): TlsSettingsSource {
  return {
    async forRegistry() {
      return { verify: ctx.tls?.verify !== false };
    },
  };
}

/** The registry the reference names, secure unless ctx.tls.verify is false. */
export function directEndpoints(ctx: Context): EndpointResolver {
  const insecure = ctx.tls?.verify === false;
  return {
    async pullEndpoints(ref) {
      return [{ location: ref.domain, repository: ref.path, insecure }];
    },
    async primaryEndpoint(ref) {
      return { location: ref.domain, repository: ref.path, insecure };
    },
    async registryEndpoint(host) {
      return { location: host, repository: '', insecure };
    },
  };
}

export const NO_PROXY: ProxyResolver = { proxyFor: () => undefined };

/** The settings for `ctx`: the factory's parts where it gives them, the context defaults elsewhere. */
export function resolveSettings(ctx: Context, factory?: RegistrySettingsFactory): RegistrySettings {
  const given = factory?.(ctx) ?? {};
  return {
    credentials: given.credentials ?? contextCredentialSource(ctx),
    tls: given.tls ?? contextTlsSettings(ctx),
    endpoints: given.endpoints ?? directEndpoints(ctx),
    proxy: given.proxy ?? NO_PROXY,
  };
}

/** Credentials given in the context win over any other source (as skopeo's --creds). */
export function withContextCredentialsFirst(ctx: Context, source: CredentialSource): CredentialSource {
  return {
    async forRegistry(registry, repository) {
      if (ctx.noCredentials) return undefined;
      if (ctx.credentials !== undefined) {
        return ctx.credentials.kind === 'anonymous' ? undefined : ctx.credentials;
      }
      return source.forRegistry(registry, repository);
    },
  };
}
