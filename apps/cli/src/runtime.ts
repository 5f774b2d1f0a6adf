// Turns commander's parsed global options into the App a command runs with.
import type { Command } from 'commander';
import { App, type CliIo, type DiscoverySettings, type GlobalFlags } from './app.js';
import { VERSION } from './version.js';

export interface Runtime {
  io: CliIo;
  discovery: DiscoverySettings;
  /** Aborts running operations (Ctrl-C in the CLI, the embedder's signal otherwise). */
  signal: AbortSignal | undefined;
  /** What `--version` prints (without the newline). */
  versionText: string;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readGlobalFlags(opts: Readonly<Record<string, unknown>>): GlobalFlags {
  return {
    debug: opts.debug === true,
    insecurePolicy: opts.insecurePolicy === true,
    policy: optionalString(opts.policy),
    registriesDir: optionalString(opts['registries.d']),
    registriesConf: optionalString(opts.registriesConf),
    overrideOs: optionalString(opts.overrideOs),
    overrideArch: optionalString(opts.overrideArch),
    overrideVariant: optionalString(opts.overrideVariant),
    tmpdir: optionalString(opts.tmpdir),
    plugin: Array.isArray(opts.plugin) ? (opts.plugin as string[]) : [],
    commandTimeoutMs:
      typeof opts.commandTimeout === 'number' && opts.commandTimeout > 0 ? opts.commandTimeout : undefined,
    userAgentPrefix: optionalString(opts.userAgentPrefix),
  };
}

/** The App for a command's action: global flags come from the command with its parents'. */
export function appFor(runtime: Runtime, command: Command): App {
  const globals = readGlobalFlags(command.optsWithGlobals());
  const signals = [
    runtime.signal,
    globals.commandTimeoutMs ? AbortSignal.timeout(globals.commandTimeoutMs) : undefined,
  ];
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const signal = present.length <= 1 ? present[0] : AbortSignal.any(present);
  return new App(runtime.io, globals, VERSION, signal, runtime.discovery);
}
