#!/usr/bin/env node
// `pnpm bench`: skopeo-ts against skopeo 1.9.3 on the same images in the same run. Progress goes to
// stderr, the Markdown report to stdout and (between markers) to docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  makeTempDir,
  type RunningDockerd,
  type RunningRegistry,
  type SkopeoEnvironment,
  startDockerd,
  startRegistry,
  type TempDir,
  unmountAllUnder,
} from '@skopeo-ts/testkit';
import { type BenchOptions, parseBenchArgs, USAGE } from './args.js';
import { type BenchCase, benchCases, CASE_IDS, largeCase, REGISTRY_CASE_IDS } from './cases.js';
import { ensureImage, resolveSpecification, warmPageCache } from './image.js';
import { currentLoad, describeMachine } from './machine.js';
import {
  describeRssMethod,
  gnuTimeAvailable,
  installChildCleanup,
  type RssMethod,
  runMeasured,
} from './measure.js';
import { assertRepoLayout, REPO_ROOT } from './paths.js';
import { REGISTRY_REPOSITORY, REGISTRY_TAG, registryCases, verifyRegistryImage } from './registry-cases.js';
import {
  ARCHIVE_CASE_IDS,
  archiveCases,
  DAEMON_CASE_IDS,
  DAEMON_SOURCE,
  daemonCases,
  diffIDsOf,
} from './engine-cases.js';
import { type ProfileSummary, readProfile, summarizeProfile } from './profile.js';
import {
  type BenchReport,
  type CaseResult,
  median,
  renderMarkdown,
  type Sample,
  writeReport,
} from './report.js';
import {
  type Store,
  STORAGE_CASE_IDS,
  type StorageDriver,
  sourceDriversFor,
  storageCases,
  storageReference,
  storeIn,
  verifyStore,
} from './storage-cases.js';
import { runStartup, STARTUP_CASE_ID, type StartupResult, startupCommands } from './startup.js';
import { chooseOurs, cliTool, findCli, skopeoTool, type Tool } from './tools.js';

const RUN_TIMEOUT_MS = 15 * 60 * 1000;

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function chooseRssMethod(choice: BenchOptions['rss']): RssMethod {
  const gnu = gnuTimeAvailable();
  if (choice === 'time' && !gnu) {
    throw new Error(
      '--rss time: GNU time (/usr/bin/time) is not installed: install the Debian package time (apt-get install -y time), or use --rss proc',
    );
  }
  if (choice === 'proc') return 'proc';
  return gnu ? 'time' : 'proc';
}

/** Flushes dirty pages so one run's writeback does not land in the next run's time. */
function syncDisks(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}

interface Runner {
  rss: RssMethod;
  work: string;
}

async function timedRun(runner: Runner, tool: Tool, benchCase: BenchCase, run: number): Promise<Sample> {
  const destPath = join(runner.work, `${benchCase.id}-${tool.name}-${run}`);
  await rm(destPath, { recursive: true, force: true });
  await benchCase.prepare?.(destPath);
  let measured: Awaited<ReturnType<typeof runMeasured>>;
  try {
    syncDisks();
    measured = await runMeasured(
      tool.command,
      tool.copyArgs(benchCase.source, benchCase.destination(destPath), benchCase.flags),
      {
        env: tool.env,
        method: runner.rss,
        timeoutMs: RUN_TIMEOUT_MS,
      },
    );
  } catch (error) {
    await benchCase.release?.(destPath);
    throw error;
  }
  try {
    if (measured.exitCode !== 0) {
      throw new Error(
        `${tool.name} failed on ${benchCase.label} (exit ${measured.exitCode}${measured.signal ? `, ${measured.signal}` : ''}):\n${measured.stderr.trim().split('\n').slice(-15).join('\n')}`,
      );
    }
    await benchCase.verify(destPath);
  } finally {
    await benchCase.release?.(destPath);
    await rm(destPath, { recursive: true, force: true });
  }
  const rss = measured.peakRssBytes === undefined ? 'n/a' : `${(measured.peakRssBytes / 1e6).toFixed(0)} MB`;
  log(
    `  ${benchCase.label.padEnd(22)} ${tool.name.padEnd(6)} #${run + 1}  ${measured.wallSeconds.toFixed(2)} s  peak RSS ${rss}  CPU ${measured.cpuSeconds?.toFixed(2) ?? 'n/a'} s`,
  );
  return {
    wallSeconds: measured.wallSeconds,
    peakRssBytes: measured.peakRssBytes,
    cpuSeconds: measured.cpuSeconds,
  };
}

/** ABBA: ours, skopeo, skopeo, ours, ours, skopeo, … so slow drift (cache, thermals) hits both alike. */
async function runCase(
  runner: Runner,
  benchCase: BenchCase,
  ours: Tool,
  skopeo: Tool,
  runs: number,
): Promise<CaseResult> {
  log(`${benchCase.label}: ${runs} runs each`);
  const result: CaseResult = { benchCase, ours: [], skopeo: [] };
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? [ours, skopeo] : [skopeo, ours];
    for (const tool of order) {
      const sample = await timedRun(runner, tool, benchCase, run);
      (tool === ours ? result.ours : result.skopeo).push(sample);
    }
  }
  return result;
}

async function profileCase(runner: Runner, benchCase: BenchCase, ours: Tool): Promise<ProfileSummary> {
  const profileDir = join(runner.work, `profile-${benchCase.id}`);
  const destPath = join(runner.work, `${benchCase.id}-profile`);
  await mkdir(profileDir, { recursive: true });
  const args = ours.profileArgs?.(benchCase.source, benchCase.destination(destPath), profileDir);
  if (args === undefined) throw new Error('this copier cannot be profiled');
  await benchCase.prepare?.(destPath);
  let measured: Awaited<ReturnType<typeof runMeasured>>;
  try {
    syncDisks();
    measured = await runMeasured(ours.command, args, {
      env: ours.env,
      method: runner.rss,
      timeoutMs: RUN_TIMEOUT_MS,
    });
  } finally {
    await benchCase.release?.(destPath);
    await rm(destPath, { recursive: true, force: true });
  }
  if (measured.exitCode !== 0)
    throw new Error(`profiled run of ${benchCase.label} failed: ${measured.stderr.trim()}`);
  const summary = summarizeProfile(await readProfile(profileDir));
  log(`  profiled ${benchCase.label}: ${measured.wallSeconds.toFixed(2)} s`);
  return summary;
}

function logStartup(startup: StartupResult): void {
  const ms = (samples: readonly Sample[]) =>
    `${(median(samples.map((x) => x.wallSeconds)) * 1000).toFixed(0)} ms`;
  log(`  start-up medians: node -e 0 ${ms(startup.floor)}`);
  for (const { command, ours, skopeo } of startup.commands) {
    log(`    ${command.label.replace(/`/g, '')}: ours ${ms(ours)}, skopeo ${ms(skopeo)}`);
  }
}

/** One untimed skopeo copy that prepares a source; fails the bench when skopeo fails. */
function runSkopeoOnce(tool: Tool, source: string, destination: string, flags: readonly string[]): void {
  const done = spawnSync(tool.command, tool.copyArgs(source, destination, [...flags]), {
    env: tool.env,
    encoding: 'utf8',
  });
  if (done.status !== 0) throw new Error(`skopeo could not copy ${source} to ${destination}: ${done.stderr}`);
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchArgs(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  assertRepoLayout();
  installChildCleanup();
  const known: readonly string[] = [...CASE_IDS, STARTUP_CASE_ID];
  const unknown = options.cases?.filter((id) => !known.includes(id)) ?? [];
  if (unknown.length > 0)
    throw new Error(`unknown case(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const wanted = (id: string) => options.cases === undefined || options.cases.includes(id);
  const copying = CASE_IDS.some(wanted);
  const registryWanted = REGISTRY_CASE_IDS.some(wanted);
  const measureStartup = wanted(STARTUP_CASE_ID) && options.startupRuns > 0;

  const loadAtStart = currentLoad();
  const cores = describeMachine(loadAtStart).cores;
  if (loadAtStart > cores / 2) {
    log(
      `warning: the load average is ${loadAtStart.toFixed(1)} on ${cores} cores: other work on this machine will skew the timings (interleaving spreads it over both tools)`,
    );
  }
  let skopeoEnvironment: SkopeoEnvironment | undefined;
  let work: TempDir | undefined;
  let registry: RunningRegistry | undefined;
  let dockerd: RunningDockerd | undefined;
  try {
    const skopeo = await skopeoTool();
    skopeoEnvironment = skopeo.environment;
    const rss = chooseRssMethod(options.rss);
    log(`peak RSS via ${describeRssMethod(rss)}`);

    // Start-up first: it needs no image, and building one leaves the machine busy for a while.
    work = await makeTempDir('skopeo-ts-bench');
    const { tool: ours, note } = await chooseOurs(options.via, work.path);
    log(`ours: ${ours.version} via ${ours.description}${note ? ` (${note})` : ''}`);
    log(`skopeo: ${skopeo.tool.version}`);

    let startup: StartupResult | undefined;
    let startupSkipped: string | undefined;
    if (measureStartup) {
      // Start-up is the CLI's, even when copies go through the library runner.
      const built = ours.argv === undefined ? findCli() : undefined;
      const cli = ours.argv !== undefined ? ours : built && cliTool(built);
      if (cli === undefined) {
        startupSkipped = 'the CLI (apps/cli/dist/cli.js) is not built';
        log(`start-up: skipped: ${startupSkipped}`);
      } else {
        startup = await runStartup({
          ours: cli,
          skopeo: skopeo.tool,
          runs: options.startupRuns,
          rss,
          commands: startupCommands(),
          loadAtStart: currentLoad(),
          log,
        });
        logStartup(startup);
      }
    }

    const image = copying
      ? await ensureImage(resolveSpecification('base', 1), { rebuild: options.rebuild, log })
      : undefined;
    const largeImage =
      copying && options.large
        ? await ensureImage(resolveSpecification('double', 2), { rebuild: options.rebuild, log })
        : undefined;

    const runner: Runner = { rss, work: work.path };

    // dir → oci needs the image as a dir: directory: skopeo (the reference implementation) writes it once.
    const dirCopy = join(work.path, 'source-dir');
    if (image !== undefined && wanted('dir-oci')) {
      const prepared = spawnSync(
        skopeo.tool.command,
        skopeo.tool.copyArgs(image.reference, `dir:${dirCopy}`),
        {
          env: skopeo.tool.env,
          encoding: 'utf8',
        },
      );
      if (prepared.status !== 0)
        throw new Error(`skopeo could not write the dir: source: ${prepared.stderr}`);
      await warmPageCache(dirCopy);
    }
    if (image !== undefined) await warmPageCache(image.layoutDir);

    const cases = image === undefined ? [] : benchCases({ image, dirCopy }).filter((c) => wanted(c.id));
    let registrySkipped: string | undefined;
    if (image !== undefined && registryWanted) {
      if (ours.argv === undefined) {
        registrySkipped = 'ours runs through the library runner, which has no docker: transport';
        log(`registry cases: skipped: ${registrySkipped}`);
      } else {
        registry = await startRegistry();
        log(`registry: docker-registry at ${registry.url} (plain HTTP, storage ${registry.rootDir})`);
        // The shared registry serves the image to pull, to re-push and to tag again: skopeo pushes it.
        const served = `docker://${registry.host}/${REGISTRY_REPOSITORY}:${REGISTRY_TAG}`;
        const pushed = spawnSync(
          skopeo.tool.command,
          skopeo.tool.copyArgs(image.reference, served, ['--dest-tls-verify=false']),
          { env: skopeo.tool.env, encoding: 'utf8' },
        );
        if (pushed.status !== 0)
          throw new Error(`skopeo could not push the image to ${served}: ${pushed.stderr}`);
        await verifyRegistryImage(registry, REGISTRY_REPOSITORY, REGISTRY_TAG, image, true);
        await warmPageCache(registry.rootDir);
        cases.push(...registryCases({ image, registry }).filter((c) => wanted(c.id)));
      }
    }
    if (image !== undefined && ARCHIVE_CASE_IDS.some(wanted)) {
      if (ours.argv === undefined) {
        log('docker-archive cases: skipped: ours runs through the library runner');
      } else {
        // docker-archive → oci reads an archive skopeo wrote (uncompressed layers, as docker save).
        const sourceArchive = join(work.path, 'source.tar');
        runSkopeoOnce(skopeo.tool, image.reference, `docker-archive:${sourceArchive}:bench/base:v1`, []);
        await warmPageCache(sourceArchive);
        cases.push(...archiveCases(image, sourceArchive).filter((c) => wanted(c.id)));
      }
    }
    if (image !== undefined && DAEMON_CASE_IDS.some(wanted)) {
      if (ours.argv === undefined) {
        log('docker-daemon cases: skipped: ours runs through the library runner');
      } else {
        dockerd = await startDockerd();
        log(`docker-daemon: dockerd at ${dockerd.host} (vfs storage)`);
        const engine = dockerd;
        const loadSource = async () =>
          runSkopeoOnce(skopeo.tool, image.reference, `docker-daemon:${DAEMON_SOURCE}`, [
            '--dest-daemon-host',
            engine.host,
          ]);
        cases.push(
          ...daemonCases({ image, dockerd: engine, diffIDs: await diffIDsOf(image), loadSource }).filter(
            (c) => wanted(c.id),
          ),
        );
      }
    }
    if (image !== undefined && STORAGE_CASE_IDS.some(wanted)) {
      if (ours.argv === undefined) {
        log('containers-storage cases: skipped: ours runs through the library runner');
      } else {
        // containers-storage → oci reads a store skopeo wrote once (one per driver read from).
        const diffIDs = await diffIDsOf(image);
        const sources: Partial<Record<StorageDriver, Store>> = {};
        for (const driver of sourceDriversFor(wanted)) {
          const store = storeIn(join(work.path, `source-storage-${driver}`), driver);
          runSkopeoOnce(skopeo.tool, image.reference, storageReference(store), []);
          await verifyStore(store, image, diffIDs);
          await warmPageCache(store.graphRoot);
          sources[driver] = store;
        }
        cases.push(...storageCases({ image, diffIDs, sources }).filter((c) => wanted(c.id)));
      }
    }
    const results: CaseResult[] = [];
    for (const benchCase of cases)
      results.push(await runCase(runner, benchCase, ours, skopeo.tool, options.runs));

    let large: CaseResult | undefined;
    if (largeImage !== undefined) {
      await warmPageCache(largeImage.layoutDir);
      large = await runCase(runner, largeCase(largeImage), ours, skopeo.tool, options.largeRuns);
    }

    const profiles: BenchReport['profiles'] = [];
    if (options.profile) {
      log('profiling ours (one run per case under node --cpu-prof)');
      for (const benchCase of cases) {
        profiles.push({ label: benchCase.label, summary: await profileCase(runner, benchCase, ours) });
      }
    }

    const report: BenchReport = {
      date: new Date(),
      machine: describeMachine(loadAtStart),
      skopeoVersion: skopeo.tool.version,
      skopeoDescription: skopeo.tool.description,
      oursVersion: ours.version,
      oursDescription: ours.description,
      oursNote: note,
      rssMethod: describeRssMethod(rss),
      runs: options.runs,
      largeRuns: options.largeRuns,
      image,
      largeImage,
      dirPreparedBy: skopeo.tool.version,
      results,
      large,
      profiles,
      startup,
      startupSkipped,
      registrySkipped,
    };
    const markdown = renderMarkdown(report);
    process.stdout.write(markdown);
    if (options.output !== undefined) {
      await writeReport(options.output, markdown);
      log(`wrote ${relative(REPO_ROOT, options.output) || options.output}`);
    }
    return 0;
  } finally {
    await dockerd?.stop();
    await registry?.stop();
    // containers-storage leaves GRAPHROOT/overlay bind-mounted (the source stores, a failed run).
    if (work !== undefined) unmountAllUnder(work.path);
    await work?.cleanup();
    await skopeoEnvironment?.cleanup();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
