// A registry flavour is docker-registry plus the helpers it needs (certificates, an htpasswd
// file, a token server): one stop() ends them all and removes their temp dirs.
import { type RegistryOptions, type RunningRegistry, startRegistry } from '../registry.js';
import { makeTempDir, type TempDir } from '../tmp.js';

export type Cleanup = () => Promise<void>;

/**
 * Starts the registry with `options`; its stop() also runs `cleanups`. The caller runs them when
 * this throws.
 */
export async function startWithHelpers<T extends object>(
  options: RegistryOptions,
  cleanups: Cleanup[],
  extra: T,
): Promise<RunningRegistry & T> {
  const registry = await startRegistry(options);
  let stopped: Promise<void> | undefined;
  return {
    ...registry,
    ...extra,
    stop() {
      stopped ??= (async () => {
        await registry.stop();
        await runCleanups(cleanups);
      })();
      return stopped;
    },
  };
}

/** Runs every cleanup, newest first, even when one fails; rethrows the first failure. */
export async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  let failure: unknown;
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

/** A temp dir for a flavour's helper files, with its cleanup queued. */
export async function helperDir(prefix: string, cleanups: Cleanup[]): Promise<TempDir> {
  const dir = await makeTempDir(prefix);
  cleanups.push(() => dir.cleanup());
  return dir;
}
