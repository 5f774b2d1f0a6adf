// Start-up: the fixed cost of one command, ours against skopeo, on commands that do next to nothing
// (`--version`) or very little (`inspect` of the repository's small example image), with
// `node -e 0` (Node's own start-up on this machine) as the floor under ours. Many short runs,
// interleaved, medians reported: one run is noisy at this scale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Measured, type RssMethod, runMeasured } from './measure.js';
import { REPO_ROOT } from './paths.js';
import type { Sample } from './report.js';
import type { Tool } from './tools.js';

/** The `--cases` id of the start-up measurements. */
export const STARTUP_CASE_ID = 'startup';

/** The small image the repository carries (examples/images/hello), relative to the repo root. */
export const STARTUP_FIXTURE = { dir: join('examples', 'images', 'hello'), tag: 'latest' } as const;

export interface StartupCommand {
  id: 'version' | 'inspect';
  /** For the report, e.g. "`--version`". */
  label: string;
  args: string[];
  /** Throws when a run's output is not what the command must print (a fast failure is not fast). */
  check(tool: Tool['name'], run: Measured): void;
}

export interface StartupCommandResult {
  command: StartupCommand;
  ours: Sample[];
  skopeo: Sample[];
}

export interface StartupResult {
  runs: number;
  /** How ours runs, e.g. "`node apps/cli/dist/cli.js ARGS`". */
  oursDescription: string;
  /** 1-minute load average when the start-up runs began. */
  loadAtStart: number;
  /** `node -e 0`. */
  floor: Sample[];
  commands: StartupCommandResult[];
}

/** The manifest digest `latest` names in the fixture's index.json. */
export function fixtureDigest(layoutDir: string, tag: string): string {
  const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (entry === undefined) throw new Error(`${layoutDir}: no image tagged ${tag} in index.json`);
  return entry.digest;
}

export function startupCommands(repoRoot: string = REPO_ROOT): StartupCommand[] {
  const layoutDir = join(repoRoot, STARTUP_FIXTURE.dir);
  const digest = fixtureDigest(layoutDir, STARTUP_FIXTURE.tag);
  return [
    {
      id: 'version',
      label: '`--version`',
      args: ['--version'],
      check(tool, run) {
        const expected = tool === 'ours' ? /^skopeo-ts version \S+/ : /^skopeo version \S+/;
        if (!expected.test(run.stdout)) {
          throw new Error(`${tool} --version printed ${JSON.stringify(run.stdout.slice(0, 200))}`);
        }
      },
    },
    {
      id: 'inspect',
      label: `\`inspect oci:${STARTUP_FIXTURE.dir}:${STARTUP_FIXTURE.tag}\``,
      args: ['inspect', `oci:${layoutDir}:${STARTUP_FIXTURE.tag}`],
      check(tool, run) {
        let found: unknown;
        try {
          found = (JSON.parse(run.stdout) as { Digest?: unknown }).Digest;
        } catch {
          found = undefined;
        }
        if (found !== digest) {
          throw new Error(
            `${tool} inspect printed Digest ${JSON.stringify(found)}, expected ${digest}: ${run.stdout.slice(0, 200)}`,
          );
        }
      },
    },
  ];
}

/** One process to time in a round. */
interface Job {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  record(run: Measured): void;
}

function toSample(run: Measured): Sample {
  return { wallSeconds: run.wallSeconds, peakRssBytes: run.peakRssBytes, cpuSeconds: run.cpuSeconds };
}

/** `items` rotated left by `by`: each round starts with another command, so drift hits all alike. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const shift = ((by % items.length) + items.length) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export interface StartupOptions {
  ours: Tool;
  skopeo: Tool;
  runs: number;
  /** Unrecorded rounds first (page cache, first-run effects); their output is checked too. */
  warmupRounds?: number;
  rss: RssMethod;
  commands: StartupCommand[];
  loadAtStart: number;
  log(message: string): void;
}

const STARTUP_TIMEOUT_MS = 60_000;

async function runJob(job: Job, what: string, rss: RssMethod): Promise<Measured> {
  const run = await runMeasured(job.command, job.args, {
    env: job.env,
    method: rss,
    timeoutMs: STARTUP_TIMEOUT_MS,
    cwd: REPO_ROOT,
  });
  if (run.exitCode !== 0) {
    throw new Error(
      `${what} failed (exit ${run.exitCode}${run.signal ? `, ${run.signal}` : ''}): ${run.stderr.trim().split('\n').slice(-5).join('\n')}`,
    );
  }
  return run;
}

/**
 * Runs `node -e 0` and every command with ours and skopeo once per round, in a rotating order,
 * `runs` recorded rounds after the warm-up. Ours must be the CLI (`tool.argv`).
 */
export async function runStartup(options: StartupOptions): Promise<StartupResult> {
  const { ours, skopeo } = options;
  const oursArgv = ours.argv;
  const skopeoArgv = skopeo.argv;
  if (oursArgv === undefined || skopeoArgv === undefined) {
    throw new Error('start-up is measured through the CLI only');
  }
  const result: StartupResult = {
    runs: options.runs,
    oursDescription: ours.startupDescription ?? ours.description,
    loadAtStart: options.loadAtStart,
    floor: [],
    commands: options.commands.map((command) => ({ command, ours: [], skopeo: [] })),
  };
  let recording = false;
  const jobs: { job: Job; what: string }[] = [
    {
      what: 'node -e 0',
      job: {
        command: process.execPath,
        args: ['-e', '0'],
        env: process.env,
        record: (run) => {
          if (recording) result.floor.push(toSample(run));
        },
      },
    },
  ];
  for (const entry of result.commands) {
    for (const tool of [ours, skopeo]) {
      const argv = tool === ours ? oursArgv : skopeoArgv;
      jobs.push({
        what: `${tool.name} ${entry.command.args.join(' ')}`,
        job: {
          command: tool.command,
          args: argv(entry.command.args),
          env: tool.env,
          record: (run) => {
            entry.command.check(tool.name, run);
            if (recording) (tool === ours ? entry.ours : entry.skopeo).push(toSample(run));
          },
        },
      });
    }
  }
  const warmup = options.warmupRounds ?? 2;
  options.log(
    `start-up: ${options.runs} runs each of ${jobs.map((j) => j.what).join(', ')} (interleaved, after ${warmup} warm-up rounds)`,
  );
  for (let round = 0; round < warmup + options.runs; round++) {
    recording = round >= warmup;
    for (const { job, what } of rotate(jobs, round)) job.record(await runJob(job, what, options.rss));
    const done = round - warmup + 1;
    if (recording && (done % 5 === 0 || done === options.runs)) {
      options.log(`  start-up: ${done}/${options.runs} rounds`);
    }
  }
  return result;
}
