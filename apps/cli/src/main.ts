// main(argv, options): runs one skopeo-ts command and resolves to its exit status. The bin calls
// it with process.argv; an embedding package (the batteries-included `skopeo-ts`) calls it with
// its own plugins.
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputStream } from './app.js';
import type { BundledPlugins } from './discovery/bundled.js';
import { type VersionInfo, versionText } from './version.js';

export interface MainOptions {
  /**
   * Plugins the embedder provides, by package name: a loader (`() => import('pkg')`) or
   * `{ load, packageJson }`. They win over installed packages for the transports they declare.
   */
  bundledPlugins?: BundledPlugins;
  /**
   * Where the package.json of bundled plugins given as bare loaders is resolved from: pass
   * `import.meta.url`. Not needed for first-party packages or `{ load, packageJson }` entries.
   */
  resolveFrom?: string | URL;
  /**
   * The directory plugins "installed beside the CLI" are searched from (its ancestors'
   * node_modules). Default: the directory of this package's own files.
   */
  installDir?: string;
  /** What `login --password-stdin` reads (default: process.stdin). */
  stdin?: AsyncIterable<string | Buffer>;
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  homeDir?: string;
  /** Aborts a running command; nothing partial is left behind. */
  signal?: AbortSignal;
  /**
   * The embedding package's name and version for `--version`, which then prints
   * `NAME version VERSION (@skopeo-ts/cli X.Y.Z)`. Default: `skopeo-ts version X.Y.Z` (the CLI's).
   */
  version?: VersionInfo;
}

/** Runs `skopeo-ts ARGS...` (without the node and script arguments) and returns the exit status. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const io = {
    ...(options.stdin ? { stdin: options.stdin } : {}),
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    env,
    cwd: options.cwd ?? process.cwd(),
    homeDir: options.homeDir ?? env.HOME ?? homedir(),
  };
  const version = versionText(options.version);
  // The most frequent cheap call answers without loading commander.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const { booleanFlags, buildProgram, CommanderError, rewriteGoBooleans } = await import('./program.js');
  const program = buildProgram(
    {
      io,
      discovery: {
        cliDir: options.installDir ?? dirname(fileURLToPath(import.meta.url)),
        bundledPlugins: options.bundledPlugins,
        resolveFrom: options.resolveFrom,
      },
      signal: options.signal,
      versionText: version,
    },
    argv,
  );
  const { booleans, negatable } = booleanFlags(program);
  const args = rewriteGoBooleans(argv, booleans, negatable);
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode;
    const { reportError } = await import('./report-error.js');
    return reportError(error, io.stderr, args.includes('--debug'));
  }
}
