// Where the bench lives, keeps its cached images and writes its report.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tooling/bench (this file runs from tooling/bench/dist/). */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The monorepo root (holds pnpm-workspace.yaml). */
export const REPO_ROOT = resolve(PACKAGE_DIR, '..', '..');

/** Cached benchmark images (gitignored). */
export const CACHE_DIR = join(PACKAGE_DIR, '.bench-cache');

/** The library runner spawned for `--via library`. */
export const RUNNER_PATH = join(PACKAGE_DIR, 'dist', 'runner.js');

export const DEFAULT_REPORT_PATH = join(REPO_ROOT, 'docs', 'benchmarks.md');

export function assertRepoLayout(): void {
  if (!existsSync(join(REPO_ROOT, 'pnpm-workspace.yaml'))) {
    throw new Error(`expected the skopeo-ts monorepo at ${REPO_ROOT} (no pnpm-workspace.yaml there)`);
  }
}
