// What every reference of one transport instance shares: how to get registry settings from a
// context, and the User-Agent; and how to open a client for an endpoint.
import type { Context } from '@skopeo-ts/core';
import packageJson from '../package.json' with { type: 'json' };
import { RegistryClient } from './client/client.js';
import { preloadHttp } from './client/http.js';
import {
  type RegistryEndpoint,
  type RegistrySettings,
  type RegistrySettingsFactory,
  resolveSettings,
} from './client/settings.js';
import { configFileSettings } from './config/registry-settings.js';

export interface DockerTransportOptions {
  /**
   * Where credentials, TLS settings, endpoints (mirrors, remapping, insecure registries) and
   * proxies come from. Default: the configuration files, as skopeo reads them
   * (`configFileSettings`). A factory given here replaces that default; parts it leaves out use
   * the context alone (ctx.credentials, ctx.tls.verify, no proxy).
   */
  settings?: RegistrySettingsFactory;
}

export const DEFAULT_USER_AGENT = `skopeo-ts/${packageJson.version}`;

export class DockerRuntime {
  constructor(private readonly options: DockerTransportOptions = {}) {}

  settings(ctx: Context): RegistrySettings {
    preloadHttp();
    return resolveSettings(ctx, this.options.settings ?? configFileSettings);
  }

  userAgent(ctx: Context): string {
    return ctx.userAgent ?? DEFAULT_USER_AGENT;
  }

  client(ctx: Context, settings: RegistrySettings, endpoint: RegistryEndpoint): RegistryClient {
    return new RegistryClient({ endpoint, ctx, settings, userAgent: this.userAgent(ctx) });
  }
}
