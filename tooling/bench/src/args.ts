// Command-line options of `pnpm bench` (pass them after `--`: `pnpm bench -- --runs 3`).
import { parseArgs } from 'node:util';
import { DEFAULT_REPORT_PATH } from './paths.js';

export type Via = 'auto' | 'cli' | 'library';
export type RssChoice = 'auto' | 'time' | 'proc';

export interface BenchOptions {
  runs: number;
  largeRuns: number;
  via: Via;
  rss: RssChoice;
  /** Case ids to run (default all): copy cases and `startup`. */
  cases: string[] | undefined;
  large: boolean;
  /** Runs of each start-up command (0: none). */
  startupRuns: number;
  /** Markdown report path, or undefined for none. */
  output: string | undefined;
  /** Also run ours once per case under `node --cpu-prof` and summarise where the time goes. */
  profile: boolean;
  rebuild: boolean;
  help: boolean;
}

export const USAGE = `pnpm bench [-- OPTIONS]

Times skopeo-ts copies against skopeo 1.9.3 on the same ~400 MB image, interleaved, and the
start-up of both (--version, inspect of examples/images/hello) against node -e 0.

  --runs N          timed runs per tool and case (default 5)
  --large-runs N    runs of the 2x-image case (default 3; 0 skips it, as does --no-large)
  --startup-runs N  runs of each start-up command (default 20; 0 skips them, as does
                    --no-startup)
  --via MODE        how ours runs: cli (node apps/cli/dist/cli.js copy), library (a runner
                    calling copyImage) or auto (default: the CLI when it is built and works)
  --rss MODE        peak RSS: time (GNU /usr/bin/time %M = ru_maxrss), proc (/proc/PID/status
                    VmHWM polled) or auto (default: time when installed)
  --cases LIST      comma-separated ids: oci-oci, oci-dir, dir-oci, oci-archive,
                    registry-oci, registry-dir, oci-registry-cold, oci-registry-blobs,
                    oci-registry-noop (a local docker-registry on loopback; needs the
                    CLI), oci-docker-archive, docker-archive-oci, oci-daemon, daemon-oci
                    (a private dockerd; CLI), oci-storage-overlay, oci-storage-vfs,
                    storage-oci, storage-vfs-oci (containers-storage stores of their own;
                    CLI; judged by the minimum of the runs), startup (startup alone
                    builds no image and skips the 2x case)
  --profile         also run ours once per case under node --cpu-prof and summarise it
  --output FILE     Markdown report (default docs/benchmarks.md); --no-write for none
  --rebuild         rebuild the cached images
  SKOPEO_TS_KEEP_TMP=1 keeps the temp dirs`;

function positiveInt(name: string, value: string | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new Error(
      `--${name} must be a whole number ${allowZero ? '≥ 0' : '≥ 1'}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    strict: true,
    allowPositionals: false,
    options: {
      runs: { type: 'string' },
      'large-runs': { type: 'string' },
      'no-large': { type: 'boolean' },
      'startup-runs': { type: 'string' },
      'no-startup': { type: 'boolean' },
      via: { type: 'string' },
      rss: { type: 'string' },
      cases: { type: 'string' },
      profile: { type: 'boolean' },
      output: { type: 'string' },
      'no-write': { type: 'boolean' },
      rebuild: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const largeRuns = values['no-large'] ? 0 : positiveInt('large-runs', values['large-runs'], 3, true);
  return {
    runs: positiveInt('runs', values.runs, 5),
    largeRuns,
    large: largeRuns > 0,
    startupRuns: values['no-startup'] ? 0 : positiveInt('startup-runs', values['startup-runs'], 20, true),
    via: oneOf('via', values.via, ['auto', 'cli', 'library'] as const, 'auto'),
    rss: oneOf('rss', values.rss, ['auto', 'time', 'proc'] as const, 'auto'),
    cases: values.cases
      ?.split(',')
      .map((id) => id.trim())
      .filter((id) => id !== ''),
    output: values['no-write'] ? undefined : (values.output ?? DEFAULT_REPORT_PATH),
    profile: values.profile === true,
    rebuild: values.rebuild === true,
    help: values.help === true,
  };
}
