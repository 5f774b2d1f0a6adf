import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BenchCase } from '../src/cases.js';
import type { BenchImage } from '../src/image.js';
import {
  type BenchReport,
  type CaseResult,
  median,
  renderMarkdown,
  type Sample,
  summarize,
  writeReport,
} from '../src/report.js';
import type { StartupCommand, StartupResult } from '../src/startup.js';

const image: BenchImage = {
  name: 'base',
  key: 'k',
  layoutDir: '/x/layout',
  tag: 'bench',
  reference: 'oci:/x/layout:bench',
  manifestDigest: `sha256:${'a'.repeat(64)}`,
  configDigest: `sha256:${'b'.repeat(64)}`,
  layers: [{ digest: `sha256:${'c'.repeat(64)}`, size: 150e6, uncompressedSize: 400e6, source: '/usr/lib' }],
  compressedBytes: 150e6,
  uncompressedBytes: 400e6,
  buildSeconds: 10,
  builtAt: '2024-01-01T00:00:00Z',
};

const benchCase = (id: string, label: string): BenchCase => ({
  id,
  label,
  source: 'oci:/x:bench',
  destination: (path) => `oci:${path}`,
  verify: async () => {},
});

const samples = (walls: number[], rssMB: number): Sample[] =>
  walls.map((wallSeconds) => ({ wallSeconds, peakRssBytes: rssMB * 1e6, cpuSeconds: wallSeconds / 2 }));

function report(overrides: Partial<BenchReport> = {}): BenchReport {
  return {
    date: new Date('2024-05-06T07:08:09Z'),
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 8,
      kernel: '6.1',
      os: 'Debian 12',
      node: 'v20.20.2',
      loadAtStart: 0.1,
    },
    skopeoVersion: 'skopeo 1.9.3',
    skopeoDescription: 'skopeo copy',
    oursVersion: 'skopeo-ts 0.1.0',
    oursDescription: 'CLI',
    oursNote: undefined,
    rssMethod: 'GNU time',
    runs: 3,
    largeRuns: 3,
    image,
    largeImage: { ...image, uncompressedBytes: 800e6 },
    dirPreparedBy: 'skopeo 1.9.3',
    results: [
      {
        benchCase: benchCase('oci-oci', 'oci → oci'),
        ours: samples([0.7, 0.6, 0.8], 100),
        skopeo: samples([1.2, 1.0, 1.4], 21),
      },
      {
        benchCase: benchCase('oci-dir', 'oci → dir'),
        ours: samples([1.1, 1.2, 1.0], 105),
        skopeo: samples([1, 1, 1], 21),
      },
    ],
    large: {
      benchCase: benchCase('oci-oci-2x', 'oci → oci, 2× image'),
      ours: samples([1, 1, 1], 130),
      skopeo: samples([2, 2, 2], 22),
    },
    profiles: [],
    ...overrides,
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('renderMarkdown', () => {
  it('prints medians, ratios, peak RSS and the verdict against the targets', () => {
    const text = renderMarkdown(report());
    expect(text).toContain('| oci → oci | 0.70 | 1.20 | 0.58 ✓✓ | 100 | 21 |');
    expect(text).toContain('| oci → dir | 1.10 | 1.00 | 1.10 ✗ | 105 | 21 |');
    expect(text).toContain('**not met** on oci → dir (1.10)');
    // the 2x case counts for the RSS target, and 100 → 130 MB is not flat
    expect(text).toContain('Peak RSS ≤ 120 MB: **not met** (highest 130 MB, oci → oci, 2× image)');
    expect(text).toContain('ours 100 → 130 MB (+30%), **grows**');
    expect(text).toContain('Test CPU, 2 cores');
  });
});

describe('registry cases in the report', () => {
  it('judges the no-op re-push in seconds, not by the ratio, and describes the registry', () => {
    const base = report();
    const text = renderMarkdown(
      report({
        results: [
          ...base.results,
          {
            benchCase: benchCase('oci-registry-cold', 'oci → registry, cold'),
            ours: samples([2, 2, 2], 110),
            skopeo: samples([3, 3, 3], 22),
          },
          {
            benchCase: {
              ...benchCase('oci-registry-noop', 'oci → registry, no-op re-push'),
              secondsTarget: 0.25,
            },
            ours: samples([0.2, 0.2, 0.2], 90),
            skopeo: samples([0.05, 0.05, 0.05], 20),
          },
        ],
      }),
    );
    expect(text).toContain('| oci → registry, cold | 2.00 | 3.00 | 0.67 ✓✓ |');
    expect(text).toContain('| oci → registry, no-op re-push | 0.20 | 0.05 | 4.00 (✓ s) |');
    expect(text).toContain('- oci → registry, no-op re-push ≤ 0.25 s: met (ours 0.20 s, skopeo 0.05 s)');
    // the no-op case is not in the ratio verdict
    expect(text).toContain('**not met** on oci → dir (1.10)\n');
    expect(text).toContain("Debian's docker-registry on loopback");
  });

  it('says why the registry cases did not run', () => {
    const text = renderMarkdown(report({ registrySkipped: 'no CLI' }));
    expect(text).toContain('- Registry cases not run: no CLI.');
  });
});

describe('containers-storage cases in the report', () => {
  it('uses the minimum for cases marked so, in the table and the verdict, and says so', () => {
    const base = report();
    const text = renderMarkdown(
      report({
        results: [
          base.results[0] as CaseResult,
          {
            benchCase: {
              ...benchCase('oci-storage-overlay', 'oci → containers-storage (overlay)'),
              statistic: 'min',
            },
            // medians 12 vs 10 (1.20 ✗), minima 9 vs 10 (0.90 ✓)
            ours: samples([12, 9, 15], 110),
            skopeo: samples([10, 11, 10], 40),
          },
        ],
      }),
    );
    expect(text).toContain('| oci → containers-storage (overlay) (min) | 9.00 | 10.00 | 0.90 ✓ | 110 | 40 |');
    // the median case is untouched
    expect(text).toContain('| oci → oci | 0.70 | 1.20 | 0.58 ✓✓ |');
    expect(text).toContain('goal not met on oci → containers-storage (overlay) (min) (0.90)');
    expect(text).toContain('**minimum** of the 3 interleaved runs');
    expect(text).toContain('(times: minima for the cases marked (min))');
    expect(text).toContain('containers-storage:[DRIVER@GRAPHROOT+RUNROOT]bench/out:v1');
  });

  it('summarizes by the median unless asked for the minimum', () => {
    expect(summarize(samples([3, 1, 2], 1)).wall).toBe(2);
    expect(summarize(samples([3, 1, 2], 1), 'min').wall).toBe(1);
  });
});

const ms = (values: number[], rssMB: number): Sample[] =>
  samples(
    values.map((v) => v / 1000),
    rssMB,
  );

function startup(loadAtStart = 0.2): StartupResult {
  const command = (id: 'version' | 'inspect', label: string): StartupCommand => ({
    id,
    label,
    args: [id],
    check: () => {},
  });
  return {
    runs: 3,
    oursDescription: '`node apps/cli/dist/cli.js ARGS`',
    loadAtStart,
    floor: ms([90, 100, 95], 40),
    commands: [
      {
        command: command('version', '`--version`'),
        ours: ms([110, 120, 115], 45),
        skopeo: ms([20, 22, 21], 19),
      },
      {
        command: command('inspect', '`inspect oci:examples/images/hello:latest`'),
        ours: ms([200, 190, 210], 56),
        skopeo: ms([25, 20, 21], 20),
      },
    ],
  };
}

describe('start-up in the report', () => {
  it('is a table of its own: medians in ms, the ratio, ours above node -e 0, and the floor row', () => {
    const text = renderMarkdown(report({ startup: startup() }));
    expect(text).toContain('### Start-up');
    expect(text).toContain('3 runs of each command');
    expect(text).toContain('Load average 0.20 when they began.');
    expect(text).toContain('| `--version` | 115 | 21 | 5.5 | 20 | 45 | 19 | 110–120 | 20–22 |');
    expect(text).toContain(
      '| `inspect oci:examples/images/hello:latest` | 200 | 21 | 9.5 | 105 | 56 | 20 | 190–210 | 20–25 |',
    );
    expect(text).toContain('| `node -e 0` (floor) | 95 | | | | 40 | | 90–100 | |');
    // after the copy table and verdict
    expect(text.indexOf('### Start-up')).toBeGreaterThan(text.indexOf('### Against the targets'));
  });

  it('says when the machine was busy', () => {
    expect(renderMarkdown(report({ startup: startup(1.7) }))).toContain(
      'Load average 1.70 when they began (**busy**',
    );
  });

  it('stands alone when no copy case ran (--cases startup)', () => {
    const text = renderMarkdown(
      report({ startup: startup(), image: undefined, largeImage: undefined, results: [], large: undefined }),
    );
    expect(text).toContain('### Start-up');
    expect(text).not.toContain('| case |');
    expect(text).not.toContain('Against the targets');
    expect(text).not.toContain('- Image:');
  });

  it('says why it was not measured', () => {
    const text = renderMarkdown(report({ startupSkipped: 'the CLI (apps/cli/dist/cli.js) is not built' }));
    expect(text).toContain('### Start-up\n\nNot measured: the CLI (apps/cli/dist/cli.js) is not built.');
  });
});

describe('writeReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-report-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the intro and the results into a new file', async () => {
    const path = join(dir, 'benchmarks.md');
    await writeReport(path, 'RESULTS ONE\n');
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('# Benchmarks')).toBe(true);
    expect(text).toContain('RESULTS ONE');
  });

  it('replaces only what is between the markers', async () => {
    const path = join(dir, 'benchmarks.md');
    await writeReport(path, 'RESULTS ONE\n');
    await writeFile(
      path,
      `${(await readFile(path, 'utf8')).replace('# Benchmarks', '# Edited title')}\n## Analysis\nkept\n`,
    );
    await writeReport(path, 'RESULTS TWO\n');
    const text = await readFile(path, 'utf8');
    expect(text).toContain('# Edited title');
    expect(text).toContain('RESULTS TWO');
    expect(text).not.toContain('RESULTS ONE');
    expect(text).toContain('## Analysis\nkept\n');
  });
});
