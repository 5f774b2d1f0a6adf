// Which store an unqualified `containers-storage:` reference means: storage.conf as
// containers/storage finds it ($CONTAINERS_STORAGE_CONF, then the rootless user's
// ~/.config/containers/storage.conf, then /etc/containers/storage.conf, then
// /usr/share/containers/storage.conf), else its built-in defaults (Debian ships no file).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Context, contextEnv, SkopeoError } from '@skopeo-ts/core';
import { parse as parseToml } from 'smol-toml';

export interface StoreConfig {
  /** Driver named by storage.conf ('' when it names none: use the one the store already uses). */
  driver: string;
  graphRoot: string;
  runRoot: string;
  /** Driver options as `driver.key=value` (e.g. `overlay.mount_program=/usr/bin/fuse-overlayfs`). */
  options: string[];
  /** The storage.conf read, if any (for messages). */
  configFile: string | undefined;
}

const SYSTEM_CONFIG = '/etc/containers/storage.conf';
const VENDOR_CONFIG = '/usr/share/containers/storage.conf';

function isRootless(ctx: Context): boolean {
  return (contextEnv(ctx, '_CONTAINERS_ROOTLESS_UID') ?? String(process.getuid?.() ?? 0)) !== '0';
}

function candidateFiles(ctx: Context): string[] {
  const explicit = contextEnv(ctx, 'CONTAINERS_STORAGE_CONF');
  if (explicit !== undefined && explicit !== '') return [explicit];
  const files: string[] = [];
  if (isRootless(ctx)) {
    const home = ctx.homeDir ?? contextEnv(ctx, 'HOME') ?? homedir();
    const configHome = contextEnv(ctx, 'XDG_CONFIG_HOME') || join(home, '.config');
    files.push(join(configHome, 'containers', 'storage.conf'));
  }
  files.push(SYSTEM_CONFIG, VENDOR_CONFIG);
  return files;
}

function builtInDefaults(ctx: Context): Omit<StoreConfig, 'configFile'> {
  if (!isRootless(ctx)) {
    return {
      driver: '',
      graphRoot: '/var/lib/containers/storage',
      runRoot: '/run/containers/storage',
      options: [],
    };
  }
  const home = ctx.homeDir ?? contextEnv(ctx, 'HOME') ?? homedir();
  const dataHome = contextEnv(ctx, 'XDG_DATA_HOME') || join(home, '.local', 'share');
  const runtimeDir = contextEnv(ctx, 'XDG_RUNTIME_DIR');
  const uid = process.getuid?.() ?? 0;
  return {
    driver: '',
    graphRoot: join(dataHome, 'containers', 'storage'),
    runRoot: runtimeDir ? join(runtimeDir, 'containers') : `/tmp/containers-user-${uid}/containers`,
    options: [],
  };
}

type Table = Record<string, unknown>;

function table(value: unknown): Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Table) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `[storage.options.overlay] mount_program = "…"` → `overlay.mount_program=…`. */
function driverOptions(options: Table): string[] {
  const out: string[] = [];
  for (const driver of ['overlay', 'vfs']) {
    for (const [key, value] of Object.entries(table(options[driver]))) {
      if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
        out.push(`${driver}.${key}=${String(value)}`);
      }
    }
  }
  // Old spelling: a mount_program directly under [storage.options] applies to overlay.
  const legacy = text(options.mount_program);
  if (legacy !== undefined && !out.some((o) => o.startsWith('overlay.mount_program='))) {
    out.push(`overlay.mount_program=${legacy}`);
  }
  return out;
}

/** Parses storage.conf text; `file` names it in errors. */
export function parseStorageConf(source: string, file: string, ctx: Context): StoreConfig {
  let parsed: Table;
  try {
    parsed = parseToml(source) as Table;
  } catch (error) {
    throw new SkopeoError('INVALID_ARGUMENT', `${file} is not valid TOML: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const storage = table(parsed.storage);
  const defaults = builtInDefaults(ctx);
  const rootless = isRootless(ctx);
  const graphRoot =
    (rootless ? text(storage.rootless_storage_path) : undefined) ??
    text(storage.graphroot) ??
    defaults.graphRoot;
  return {
    driver: text(storage.driver) ?? '',
    graphRoot: expandHome(graphRoot, ctx),
    runRoot: expandHome(text(storage.runroot) ?? defaults.runRoot, ctx),
    options: driverOptions(table(storage.options)),
    configFile: file,
  };
}

function expandHome(path: string, ctx: Context): string {
  const home = ctx.homeDir ?? contextEnv(ctx, 'HOME') ?? homedir();
  return path.replace(/^\$HOME(?=\/|$)/, home).replace(/^~(?=\/|$)/, home);
}

/** The default store: the first storage.conf that exists, else the built-in defaults. */
export async function loadStoreConfig(ctx: Context): Promise<StoreConfig> {
  const explicit = contextEnv(ctx, 'CONTAINERS_STORAGE_CONF');
  for (const file of candidateFiles(ctx)) {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && file !== explicit) continue;
      throw new SkopeoError('IO', `cannot read storage.conf ${file}: ${(error as Error).message}`, {
        cause: error,
        hint: file === explicit ? 'CONTAINERS_STORAGE_CONF names a file that cannot be read' : undefined,
      });
    }
    return parseStorageConf(source, file, ctx);
  }
  return { ...builtInDefaults(ctx), configFile: undefined };
}
