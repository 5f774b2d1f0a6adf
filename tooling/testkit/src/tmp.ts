// Temp dirs that tests own; removed by cleanup(), or at process exit if a test never got there.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepTempDirs, trackDirectory, untrackDirectory } from './cleanup.js';

export interface TempDir {
  /** Absolute path of the new, empty directory. */
  readonly path: string;
  /** Removes the directory and everything in it (kept when SKOPEO_TS_KEEP_TMP=1). */
  cleanup(): Promise<void>;
}

/** Makes `$TMPDIR/<prefix>-XXXXXX`. */
export async function makeTempDir(prefix = 'skopeo-ts'): Promise<TempDir> {
  const base = prefix.endsWith('-') ? prefix : `${prefix}-`;
  const path = await mkdtemp(join(tmpdir(), base));
  trackDirectory(path);
  return {
    path,
    async cleanup() {
      untrackDirectory(path);
      if (!keepTempDirs()) await rm(path, { recursive: true, force: true });
    },
  };
}
