// The results as Markdown: printed, and written between markers in docs/benchmarks.md so that the
// hand-written text around them survives a re-run.
import { readFile, writeFile } from 'node:fs/promises';
import type { BenchCase } from './cases.js';
import type { BenchImage } from './image.js';
import type { Machine } from './machine.js';
import type { ProfileSummary } from './profile.js';
import type { StartupResult } from './startup.js';

export interface Sample {
  wallSeconds: number;
  peakRssBytes: number | undefined;
  cpuSeconds: number | undefined;
}

export interface CaseResult {
  benchCase: BenchCase;
  ours: Sample[];
  skopeo: Sample[];
}

export interface BenchReport {
  date: Date;
  machine: Machine;
  skopeoVersion: string;
  skopeoDescription: string;
  oursVersion: string;
  oursDescription: string;
  oursNote: string | undefined;
  rssMethod: string;
  runs: number;
  largeRuns: number;
  /** undefined when no copy case ran (`--cases startup`). */
  image: BenchImage | undefined;
  largeImage: BenchImage | undefined;
  dirPreparedBy: string;
  results: CaseResult[];
  large: CaseResult | undefined;
  profiles: { label: string; summary: ProfileSummary }[];
  /** Start-up measurements; undefined when not run. */
  startup?: StartupResult | undefined;
  /** Why start-up was not measured although asked for. */
  startupSkipped?: string | undefined;
  /** Why the registry cases were not run although asked for. */
  registrySkipped?: string | undefined;
}

export const TARGETS = { ratio: 1.0, goalRatio: 0.8, rssMB: 120, flatGrowth: 0.15 } as const;

const START = '<!-- bench:results:start (written by pnpm bench; edit outside the markers) -->';
const END = '<!-- bench:results:end -->';

export const INTRO = `# Benchmarks

\`pnpm bench\` (package \`tooling/bench\`) times skopeo-ts copies against Debian's skopeo 1.9.3 on the
same image in the same run: a ~400 MB (uncompressed) 5-layer gzip image made of this machine's own
files (/usr/lib, /usr/share, /usr/bin, …), built once into \`tooling/bench/.bench-cache/\` and rebuilt
only when its spec changes. Each case runs ours and skopeo interleaved (\`--runs 5\` each by default)
into a fresh destination, measuring wall time and the peak RSS of the process; a second image twice
as large checks that our memory stays flat as images grow. Ours runs as a separate process through
the CLI when it is built (else through the library: \`--via cli|library\`). \`--profile\` adds a
\`node --cpu-prof\` summary of one run of ours per case. Start-up is measured apart: \`--version\`
and \`inspect\` of the small example image (\`examples/images/hello\`), ours and skopeo, with
\`node -e 0\` as the floor, 20 runs each interleaved (\`--startup-runs N\`; \`--cases startup\` for
start-up alone). Registry cases (registry → oci and → dir, oci → registry cold, with the blobs
already there, and a no-op re-push judged in seconds) run both tools against Debian's
\`docker-registry\` on loopback over plain HTTP, through the CLI only. docker-archive and
docker-daemon cases (oci → docker-archive, docker-archive → oci, oci → docker-daemon, docker-daemon →
oci) read an archive and a daemon image that skopeo wrote once, and use Debian's \`dockerd\` (package
\`docker.io\`, vfs storage) started on a private socket. containers-storage cases (oci →
containers-storage with the overlay and the vfs driver, containers-storage → oci from an overlay and
a vfs store skopeo wrote once) give each run a store of its own
(\`containers-storage:[DRIVER@GRAPHROOT+RUNROOT]\`, the same for both tools); they are dominated by
filesystem work and noisy, so they are judged by the minimum of the interleaved runs rather than the
median (marked (min)). Needs \`skopeo\` (Debian package
\`skopeo\`), \`docker-registry\` for the registry cases and, for the most reliable RSS figure,
GNU \`time\` (package \`time\`; else /proc is polled). Run \`pnpm bench\`, or
\`pnpm bench -- --runs 3 --cases oci-oci,oci-dir --no-write\`; the section between the markers
below is rewritten by each run.
`;

const MB = 1e6;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function defined(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined);
}

export type Statistic = NonNullable<BenchCase['statistic']>;

/** Both tools' summaries of a case, by the case's statistic. */
export function summarizeCase(result: CaseResult): { ours: Summary; skopeo: Summary } {
  const statistic = result.benchCase.statistic ?? 'median';
  return { ours: summarize(result.ours, statistic), skopeo: summarize(result.skopeo, statistic) };
}

/** A case's label, marked when its times are minima rather than medians. */
function caseLabel(benchCase: BenchCase): string {
  return benchCase.statistic === 'min' ? `${benchCase.label} (min)` : benchCase.label;
}

export interface Summary {
  wall: number;
  wallMin: number;
  wallMax: number;
  rssMB: number | undefined;
  cpu: number | undefined;
}

/**
 * Wall time by `statistic` (the median, or the minimum for cases marked so), the median CPU and
 * the highest peak RSS seen over the runs.
 */
export function summarize(samples: readonly Sample[], statistic: Statistic = 'median'): Summary {
  const walls = samples.map((s) => s.wallSeconds);
  const rss = defined(samples.map((s) => s.peakRssBytes));
  const cpu = defined(samples.map((s) => s.cpuSeconds));
  return {
    wall: statistic === 'min' ? Math.min(...walls) : median(walls),
    wallMin: Math.min(...walls),
    wallMax: Math.max(...walls),
    rssMB: rss.length === 0 ? undefined : Math.max(...rss) / MB,
    cpu: cpu.length === 0 ? undefined : median(cpu),
  };
}

const f2 = (n: number) => n.toFixed(2);
const f0 = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(0));
const f1 = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(1));
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

function ratioCell(ours: Summary, skopeo: Summary, secondsTarget?: number): string {
  const ratio = ours.wall / skopeo.wall;
  if (secondsTarget !== undefined) return `${f2(ratio)} (${ours.wall <= secondsTarget ? '✓' : '✗'} s)`;
  const mark = ratio <= TARGETS.goalRatio ? ' ✓✓' : ratio <= TARGETS.ratio ? ' ✓' : ' ✗';
  return `${f2(ratio)}${mark}`;
}

function imageLine(image: BenchImage): string {
  const sources = image.layers.map((layer) => `${layer.source} ${mb(layer.uncompressedSize)}`).join(', ');
  return `${image.layers.length} layers, ${mb(image.uncompressedBytes)} uncompressed, ${mb(image.compressedBytes)} gzip (${sources}); manifest ${image.manifestDigest.slice(0, 19)}…`;
}

export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const lines: string[] = [];
  const stamp = report.date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', ' ');
  lines.push(`## Results of ${stamp}`, '');
  lines.push(
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.os}, kernel ${machine.kernel}; Node ${machine.node}; load average ${machine.loadAtStart.toFixed(2)} when the bench started${machine.loadAtStart > machine.cores / 2 ? ' (**busy**: other work skewed these timings)' : ''}`,
  );
  lines.push(`- skopeo: ${report.skopeoVersion}, run as ${report.skopeoDescription}`);
  lines.push(
    `- ours: ${report.oursVersion}, run through the ${report.oursDescription}${report.oursNote ? ` — ${report.oursNote}` : ''}`,
  );
  if (report.image !== undefined && report.results.length > 0) {
    lines.push(...copySection(report, report.image));
  }
  if (report.startup !== undefined) {
    lines.push(...startupSection(report.startup, report.rssMethod, machine.cores));
  } else if (report.startupSkipped !== undefined) {
    lines.push('', `### Start-up`, '', `Not measured: ${report.startupSkipped}.`);
  }
  for (const { label, summary } of report.profiles) {
    lines.push('', `### Profile of ours: ${label} (one run under \`node --cpu-prof\`, main thread)`, '');
    lines.push(
      `${(summary.totalMs / 1000).toFixed(2)} s profiled (from the end of Node's bootstrap to exit; profiling slows the run). "idle" is the main thread waiting for I/O or the thread pool; "fs calls into libuv" is time inside the native fs bindings that queue work for the pool (on few cores mostly the main thread preempted by the pool threads it wakes).`,
      '',
    );
    lines.push('| where | ms | share |', '| --- | ---: | ---: |');
    for (const category of summary.categories) {
      lines.push(
        `| ${category.name} | ${category.ms.toFixed(0)} | ${((category.ms / summary.totalMs) * 100).toFixed(0)}% |`,
      );
    }
    lines.push('', '| top functions (self time) | ms |', '| --- | ---: |');
    for (const fn of summary.functions)
      lines.push(`| \`${fn.name.replace(/\|/g, '\\|')}\` | ${fn.ms.toFixed(0)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The copy cases: how they ran, the table and the verdict against the targets. */
function copySection(report: BenchReport, image: BenchImage): string[] {
  const lines: string[] = [];
  lines.push(`- Image: ${imageLine(image)}`);
  if (report.largeImage) lines.push(`- 2× image: ${imageLine(report.largeImage)}`);
  if (report.results.some((r) => r.benchCase.id === 'dir-oci')) {
    lines.push(`- dir → oci reads a dir: copy of the image made once by ${report.dirPreparedBy}.`);
  }
  if (report.results.some((r) => r.benchCase.id.includes('registry'))) {
    lines.push(
      "- Registry cases: Debian's docker-registry on loopback, plain HTTP (both tools with `--src-tls-verify=false` / `--dest-tls-verify=false`), the image pushed once by skopeo as `bench/base:v1`. registry → oci/dir pull it; oci → registry, cold pushes into a registry started (untimed) with an empty storage root of its own for every run; blobs there pushes the same image under a new tag into the same repository; no-op re-push pushes it again under `v1`. Ours skips every blob when the repository already has the manifest (skopeo's copy checks each blob).",
    );
  } else if (report.registrySkipped !== undefined) {
    lines.push(`- Registry cases not run: ${report.registrySkipped}.`);
  }
  if (
    report.results.some((r) => r.benchCase.id.includes('docker-archive') || r.benchCase.id.includes('daemon'))
  ) {
    lines.push(
      "- docker-archive and docker-daemon cases: oci → docker-archive writes the layers decompressed (decompression-bound); docker-archive → oci reads an archive skopeo wrote once (uncompressed layers, as `docker save`), and docker-daemon → oci reads the image skopeo loaded once into Debian's dockerd 20.10 (vfs storage, started on a private socket): both compress every layer for oci: (compression-bound); oci → docker-daemon loads the image into an engine from which it was removed before the run (both tools send gzip layers; the engine decompresses). Layers compressed by each tool differ in bytes, so those layouts are checked by config, layer count and blob sizes.",
    );
  }
  if (report.results.some((r) => r.benchCase.id.includes('storage'))) {
    lines.push(
      "- containers-storage cases: both tools name the store the same way, `containers-storage:[DRIVER@GRAPHROOT+RUNROOT]bench/out:v1` (no storage.conf, no other options; overlay is the kernel's, on the same disk as the source). oci → containers-storage writes into an empty store of its own every run (decompressing and unpacking the 5 layers); containers-storage → oci reads a store skopeo wrote once (overlay, vfs) and compresses every layer for oci: (compression-bound). Stores are checked from their own images.json / layers.json (image ID = config digest, the layer chain's DiffIDs and sizes, files unpacked); oci layouts by config, layer count and blob sizes. What containers-storage leaves mounted (skopeo's private bind mount of GRAPHROOT/overlay) is unmounted (`umount -l`, untimed) before a store is deleted.",
    );
  }
  lines.push(
    `- Method: ${report.runs} runs per tool and case, interleaved in ABBA order (ours, skopeo, skopeo, ours, …) so drift hits both alike; a fresh destination each run (deleted after it, \`sync\` before the next); the source in the page cache; wall time from spawn to exit; peak RSS: ${report.rssMethod}. Times and CPU are medians${report.results.some((r) => r.benchCase.statistic === 'min') ? ' (times: minima for the cases marked (min))' : ''}, RSS the highest run; MB = 10⁶ bytes.`,
  );
  lines.push('');
  lines.push(
    '| case | ours s | skopeo s | ours/skopeo | ours peak RSS MB | skopeo peak RSS MB | ours CPU s | skopeo CPU s | ours s min–max | skopeo s min–max |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const rows = report.large ? [...report.results, report.large] : report.results;
  for (const result of rows) {
    const { ours, skopeo } = summarizeCase(result);
    lines.push(
      `| ${caseLabel(result.benchCase)} | ${f2(ours.wall)} | ${f2(skopeo.wall)} | ${ratioCell(ours, skopeo, result.benchCase.secondsTarget)} | ${f0(ours.rssMB)} | ${f0(skopeo.rssMB)} | ${f1(ours.cpu)} | ${f1(skopeo.cpu)} | ${f2(ours.wallMin)}–${f2(ours.wallMax)} | ${f2(skopeo.wallMin)}–${f2(skopeo.wallMax)} |`,
    );
  }
  lines.push('', '✓✓ meets the goal (≤ 0.8), ✓ the target (≤ 1.0), ✗ neither.');
  const minima = rows.filter((r) => r.benchCase.statistic === 'min');
  if (minima.length > 0) {
    lines.push(
      `(min): ${minima.map((r) => r.benchCase.label).join(', ')}: dominated by filesystem work and noisy on a shared machine (other work only ever adds time), so their "s" columns and ours/skopeo are the **minimum** of the ${report.runs} interleaved runs, not the median; the verdict uses the same.`,
    );
  }
  const timed = rows.filter((r) => r.benchCase.secondsTarget !== undefined);
  if (timed.length > 0) {
    lines.push(
      `(${timed.map((r) => r.benchCase.label).join(', ')}: bounded by start-up, judged by ours' seconds instead: ✓ s within ${timed.map((r) => `${r.benchCase.secondsTarget} s`).join(', ')}.)`,
    );
  }
  lines.push('');
  lines.push(...verdict(report, image));
  return lines;
}

const ms = (seconds: number) => (seconds * 1000).toFixed(0);

/** Start-up: medians in ms, ours against skopeo, and ours above `node -e 0`. */
export function startupSection(startup: StartupResult, rssMethod: string, cores: number): string[] {
  const wall = (samples: readonly Sample[]) => median(samples.map((x) => x.wallSeconds));
  const rss = (samples: readonly Sample[]) => {
    const values = defined(samples.map((x) => x.peakRssBytes));
    return values.length === 0 ? undefined : median(values) / MB;
  };
  const range = (samples: readonly Sample[]) => {
    const walls = samples.map((x) => x.wallSeconds);
    return `${ms(Math.min(...walls))}–${ms(Math.max(...walls))}`;
  };
  const floor = wall(startup.floor);
  const lines = ['', '### Start-up', ''];
  lines.push(
    `Ours runs as ${startup.oursDescription}. ${startup.runs} runs of each command, interleaved with each other and with \`node -e 0\` (Node's own start-up on this machine: the floor under ours) in an order that rotates every round, after 2 warm-up rounds; every run's output is checked. Load average ${startup.loadAtStart.toFixed(2)} when they began${startup.loadAtStart > cores / 2 ? ' (**busy**: other work skewed these timings)' : ''}. Wall time from spawn to exit, medians; peak RSS (medians): ${rssMethod}.`,
    '',
  );
  lines.push(
    '| command | ours ms | skopeo ms | ours/skopeo | ours − `node -e 0` ms | ours peak RSS MB | skopeo peak RSS MB | ours ms min–max | skopeo ms min–max |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const { command, ours, skopeo } of startup.commands) {
    const o = wall(ours);
    const k = wall(skopeo);
    lines.push(
      `| ${command.label} | ${ms(o)} | ${ms(k)} | ${(o / k).toFixed(1)} | ${ms(o - floor)} | ${f0(rss(ours))} | ${f0(rss(skopeo))} | ${range(ours)} | ${range(skopeo)} |`,
    );
  }
  lines.push(
    `| \`node -e 0\` (floor) | ${ms(floor)} | | | | ${f0(rss(startup.floor))} | | ${range(startup.floor)} | |`,
  );
  return lines;
}

function verdict(report: BenchReport, image: BenchImage): string[] {
  const out = ['### Against the targets', ''];
  const ratios = report.results
    .filter((r) => r.benchCase.secondsTarget === undefined)
    .map((r) => ({
      label: caseLabel(r.benchCase),
      ratio: summarizeCase(r).ours.wall / summarizeCase(r).skopeo.wall,
    }));
  const slow = ratios.filter((r) => r.ratio > TARGETS.ratio);
  const notGoal = ratios.filter((r) => r.ratio > TARGETS.goalRatio);
  out.push(
    `- Time, ours/skopeo ≤ ${TARGETS.ratio.toFixed(1)} on every case (goal ≤ ${TARGETS.goalRatio}): ` +
      (slow.length === 0
        ? `met${notGoal.length === 0 ? ', goal met too' : `; goal not met on ${notGoal.map((r) => `${r.label} (${f2(r.ratio)})`).join(', ')}`}`
        : `**not met** on ${slow.map((r) => `${r.label} (${f2(r.ratio)})`).join(', ')}`),
  );
  for (const r of report.results) {
    const target = r.benchCase.secondsTarget;
    if (target === undefined) continue;
    const ours = summarize(r.ours).wall;
    out.push(
      `- ${r.benchCase.label} ≤ ${target} s: ${ours <= target ? 'met' : '**not met**'} (ours ${f2(ours)} s, skopeo ${f2(summarize(r.skopeo).wall)} s)`,
    );
  }
  const measured = report.large ? [...report.results, report.large] : report.results;
  const rss = measured.map((r) => ({
    label: r.benchCase.label,
    mb: summarize(r.ours).rssMB ?? Number.NaN,
  }));
  const worst = rss.reduce((a, b) => (b.mb > a.mb ? b : a));
  out.push(
    `- Peak RSS ≤ ${TARGETS.rssMB} MB: ${worst.mb <= TARGETS.rssMB ? 'met' : '**not met**'} (highest ${f0(worst.mb)} MB, ${worst.label})`,
  );
  const base = report.results.find((r) => r.benchCase.id === 'oci-oci');
  if (report.large && base && report.largeImage) {
    const small = summarize(base.ours).rssMB ?? Number.NaN;
    const big = summarize(report.large.ours).rssMB ?? Number.NaN;
    const growth = big / small - 1;
    const flat = growth <= TARGETS.flatGrowth;
    const sizes = `${mb(image.uncompressedBytes)} → ${mb(report.largeImage.uncompressedBytes)}`;
    out.push(
      `- Flat as the image grows (oci → oci, ${sizes}): ours ${f0(small)} → ${f0(big)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)}%), ${flat ? 'flat' : '**grows**'} (threshold +${TARGETS.flatGrowth * 100}%); skopeo ${f0(summarize(base.skopeo).rssMB)} → ${f0(summarize(report.large.skopeo).rssMB)} MB`,
    );
  } else {
    out.push('- Flat as the image grows: not measured in this run (--no-large).');
  }
  return out;
}

/** Replaces the results between the markers (or writes the intro and results when there are none). */
export async function writeReport(path: string, markdown: string): Promise<void> {
  const block = `${START}\n\n${markdown}\n${END}\n`;
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch {
    existing = undefined;
  }
  const start = existing?.indexOf(START) ?? -1;
  const end = existing?.indexOf(END) ?? -1;
  let text: string;
  if (existing !== undefined && start >= 0 && end > start) {
    text = existing.slice(0, start) + block + existing.slice(end + END.length).replace(/^\n/, '');
  } else {
    text = `${INTRO}\n${block}`;
  }
  await writeFile(path, text);
}
