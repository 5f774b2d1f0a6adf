// The registry client's settings from the configuration files, as skopeo reads them: credentials
// from the context first (--creds, --registry-token, --no-creds), else the auth files, credHelpers
// and credsStore (and registries.conf `credential-helpers`); TLS from --cert-dir or certs.d;
// endpoints from registries.conf (location rewrite, insecure, blocked, pull mirrors); proxies from
// HTTP_PROXY/HTTPS_PROXY/NO_PROXY. Everything comes through the Context (ctx.env, ctx.homeDir,
// ctx.authFile, ctx.registriesConf, ctx.tls); one settings object serves one operation, so files
// are read at most once per operation and credentials are looked up once per registry/repository.
import type { Context, Credentials, DockerReference } from '@skopeo-ts/core';
import { SkopeoError } from '@skopeo-ts/core';
import type {
  CredentialSource,
  EndpointResolver,
  ProxyResolver,
  RegistryEndpoint,
  RegistrySettings,
  RegistrySettingsFactory,
  TlsSettings,
  TlsSettingsSource,
} from '../client/settings.js';
import { lookupCredentials } from './auth-file.js';
import { registryTlsOptions } from './certs-dir.js';
import { type ConfigEnvironment, configEnvironment } from './environment.js';
import { proxyEnvironment, proxyForUrl } from './proxy.js';
import {
  assertNotBlocked,
  findRegistry,
  loadRegistriesConf,
  pullSources,
  type RegistriesConf,
} from './registries-conf.js';

export interface ConfigFileSettingsOptions {
  /**
   * Overrides of the environment taken from the Context, e.g. `systemRoot` to read /etc/... from
   * another root (tests, embedders with their own configuration tree).
   */
  environment?: Partial<ConfigEnvironment>;
}

/** Settings for docker:// from the configuration files; pass to createDockerTransport({ settings }). */
export function createConfigFileSettings(options: ConfigFileSettingsOptions = {}): RegistrySettingsFactory {
  return (ctx) => configFileSettingsFor(ctx, options);
}

/** The settings the default docker transport uses: configuration files, read through the Context. */
export const configFileSettings: RegistrySettingsFactory = createConfigFileSettings();

function configFileSettingsFor(ctx: Context, options: ConfigFileSettingsOptions): RegistrySettings {
  const environment = configEnvironment(ctx, options.environment);
  let confPromise: Promise<RegistriesConf> | undefined;
  const conf = (): Promise<RegistriesConf> => {
    confPromise ??= loadRegistriesConf({ ctx, environment });
    return confPromise;
  };
  // Mirrors on another host than the reference's registry: ctx.credentials name no registry, so
  // they are not sent there (as containers/image); the auth files still are consulted.
  const foreignMirrors = new Set<string>();
  return {
    credentials: credentialSource(ctx, environment, conf, foreignMirrors),
    tls: tlsSource(ctx, environment),
    endpoints: endpointResolver(ctx, conf, foreignMirrors),
    proxy: proxyResolver(environment),
  };
}

function credentialSource(
  ctx: Context,
  environment: ConfigEnvironment,
  conf: () => Promise<RegistriesConf>,
  foreignMirrors: ReadonlySet<string>,
): CredentialSource {
  const cache = new Map<string, Promise<Credentials | undefined>>();
  const { credentials: explicit, ...withoutExplicit } = ctx;
  return {
    forRegistry(registry, repository) {
      if (ctx.noCredentials) return Promise.resolve(undefined);
      if (explicit !== undefined && !foreignMirrors.has(registry)) {
        return Promise.resolve(explicit.kind === 'anonymous' ? undefined : explicit);
      }
      const key = repository ? `${registry}/${repository}` : registry;
      let found = cache.get(key);
      if (found === undefined) {
        found = conf().then(({ credentialHelpers }) =>
          lookupCredentials({
            registry,
            repository,
            ctx: withoutExplicit,
            environment,
            credentialHelpers,
          }),
        );
        cache.set(key, found);
      }
      return found;
    },
  };
}

function tlsSource(ctx: Context, environment: ConfigEnvironment): TlsSettingsSource {
  const cache = new Map<string, Promise<TlsSettings>>();
  return {
    forRegistry(host) {
      // certs.d is keyed by the registry's name as users write it: docker.io, not registry-1.
      const hostPort = host === 'registry-1.docker.io' ? 'docker.io' : host;
      let settings = cache.get(hostPort);
      if (settings === undefined) {
        settings = registryTlsOptions({ hostPort, ctx, environment }).then((options) => {
          const result: TlsSettings = { verify: ctx.tls?.verify !== false };
          if (options.ca !== undefined) result.ca = options.ca;
          if (options.cert !== undefined) result.cert = options.cert;
          if (options.key !== undefined) result.key = options.key;
          if (options.certDir !== undefined)
            environment.debug?.(`using certificates from ${options.certDir}`);
          return result;
        });
        cache.set(hostPort, settings);
      }
      return settings;
    },
  };
}

/** An explicit ctx.tls.verify wins over registries.conf `insecure` (as skopeo's --tls-verify). */
function insecureFor(ctx: Context, configured: boolean): boolean {
  const verify = ctx.tls?.verify;
  return verify === undefined ? configured : !verify;
}

/** registries.conf without mirrors: only the primary location of each entry. */
function withoutMirrors(conf: RegistriesConf): RegistriesConf {
  return { ...conf, registries: conf.registries.map((entry) => ({ ...entry, mirrors: [] })) };
}

function endpointResolver(
  ctx: Context,
  conf: () => Promise<RegistriesConf>,
  foreignMirrors: Set<string>,
): EndpointResolver {
  let primaryOnly: RegistriesConf | undefined;
  const primary = async (ref: DockerReference): Promise<RegistryEndpoint> => {
    const loaded = await conf();
    primaryOnly ??= withoutMirrors(loaded);
    // Throws DENIED naming the file when the registry (or the location it maps to) is blocked.
    const [source] = pullSources(primaryOnly, ref);
    if (source === undefined) throw new SkopeoError('INTERNAL', `no endpoint for ${ref.toString()}`);
    return {
      location: source.endpointHost,
      repository: source.repositoryRewritten,
      insecure: insecureFor(ctx, source.insecure),
    };
  };
  return {
    async pullEndpoints(ref) {
      const sources = pullSources(await conf(), ref);
      return sources.map((source) => {
        if (source.isMirror && !source.explicitCredentialsAllowed) foreignMirrors.add(source.endpointHost);
        const endpoint: RegistryEndpoint = {
          location: source.endpointHost,
          repository: source.repositoryRewritten,
          insecure: insecureFor(ctx, source.insecure),
        };
        if (source.isMirror) endpoint.mirror = true;
        return endpoint;
      });
    },
    primaryEndpoint: primary,
    async registryEndpoint(host) {
      const loaded = await conf();
      assertNotBlocked(loaded, host);
      const entry = findRegistry(loaded, host);
      return { location: host, repository: '', insecure: insecureFor(ctx, entry?.insecure ?? false) };
    },
  };
}

/** A proxy URL for messages: without its user name and password. */
function redacted(proxy: URL): string {
  const copy = new URL(proxy.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function proxyResolver(environment: ConfigEnvironment): ProxyResolver {
  const proxies = proxyEnvironment(environment.env);
  return {
    proxyFor(url) {
      const proxy = proxyForUrl(url, proxies);
      if (proxy === undefined) return undefined;
      if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
        throw new SkopeoError(
          'UNSUPPORTED',
          `proxy ${redacted(proxy)} for ${url.host}: ${proxy.protocol.replace(/:$/, '')} proxies are not supported`,
          {
            hint: 'use an http:// or https:// proxy in HTTP_PROXY/HTTPS_PROXY, or exclude the host in NO_PROXY',
          },
        );
      }
      return proxy.href;
    },
  };
}
