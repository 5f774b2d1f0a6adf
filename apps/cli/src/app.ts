// What a command needs from the CLI around it: the streams, the global flags, the abort signal,
// logging, and the plugin registry (imported on first use, so commands without images and
// `--version` never load discovery).
import type { ImageReference, Platform } from '@skopeo-ts/core';
import type { BundledPlugins } from './discovery/bundled.js';
import type { PluginRegistry } from './discovery/registry.js';

/** A writable the CLI prints to: process.stdout/stderr or an embedder's stream. */
export interface OutputStream {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  /** What `login --password-stdin` reads (default: process.stdin). */
  stdin?: AsyncIterable<string | Buffer>;
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  homeDir: string;
}

export interface GlobalFlags {
  debug: boolean;
  insecurePolicy: boolean;
  policy: string | undefined;
  registriesDir: string | undefined;
  registriesConf: string | undefined;
  overrideOs: string | undefined;
  overrideArch: string | undefined;
  overrideVariant: string | undefined;
  tmpdir: string | undefined;
  plugin: string[];
  commandTimeoutMs: number | undefined;
  userAgentPrefix: string | undefined;
}

export interface DiscoverySettings {
  /** The directory "beside the CLI's install" searches start from. */
  cliDir: string;
  bundledPlugins: BundledPlugins | undefined;
  resolveFrom: string | URL | undefined;
}

export class App {
  readonly debug: ((message: string) => void) | undefined;
  private registryPromise: Promise<PluginRegistry> | undefined;

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalFlags,
    readonly version: string,
    readonly signal: AbortSignal | undefined,
    private readonly discovery: DiscoverySettings,
  ) {
    this.debug = globals.debug
      ? (message) => this.io.stderr.write(`skopeo-ts: debug: ${message}\n`)
      : undefined;
  }

  warn(message: string): void {
    this.io.stderr.write(`skopeo-ts: warning: ${message}\n`);
  }

  /** --override-os/--override-arch/--override-variant. */
  platformOverrides(): Partial<Platform> {
    const { overrideOs, overrideArch, overrideVariant } = this.globals;
    return {
      ...(overrideOs ? { os: overrideOs } : {}),
      ...(overrideArch ? { architecture: overrideArch } : {}),
      ...(overrideVariant ? { variant: overrideVariant } : {}),
    };
  }

  registry(): Promise<PluginRegistry> {
    this.registryPromise ??= import('./discovery/registry.js').then(
      ({ PluginRegistry }) =>
        new PluginRegistry({
          cliDir: this.discovery.cliDir,
          cwd: this.io.cwd,
          env: this.io.env,
          homeDir: this.io.homeDir,
          pluginFlags: this.globals.plugin,
          ...(this.discovery.bundledPlugins ? { bundledPlugins: this.discovery.bundledPlugins } : {}),
          ...(this.discovery.resolveFrom ? { resolveFrom: this.discovery.resolveFrom } : {}),
          ...(this.debug ? { debug: this.debug } : {}),
          warn: (message) => this.warn(message),
        }),
    );
    return this.registryPromise;
  }

  /** Parses `transport:rest` with the transport's plugin (imported now, and only it). */
  async imageReference(input: string): Promise<ImageReference> {
    return (await this.registry()).imageReference(input);
  }
}
