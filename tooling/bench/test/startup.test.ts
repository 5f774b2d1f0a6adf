import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Measured } from '../src/measure.js';
import { REPO_ROOT } from '../src/paths.js';
import { fixtureDigest, rotate, STARTUP_FIXTURE, startupCommands } from '../src/startup.js';

const HELLO = join(REPO_ROOT, STARTUP_FIXTURE.dir);

const run = (stdout: string): Measured => ({
  wallSeconds: 0.1,
  peakRssBytes: 40e6,
  cpuSeconds: 0.05,
  exitCode: 0,
  signal: null,
  stdout,
  stderr: '',
});

describe('start-up commands', () => {
  const [version, inspect] = startupCommands();
  const digest = fixtureDigest(HELLO, STARTUP_FIXTURE.tag);

  it('are --version and inspect of the example image, the same arguments for both tools', () => {
    expect(version?.args).toEqual(['--version']);
    expect(inspect?.args).toEqual(['inspect', `oci:${HELLO}:latest`]);
    expect(inspect?.label).toBe('`inspect oci:examples/images/hello:latest`');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('check what each tool printed, so a run that fails fast cannot look fast', () => {
    expect(() => version?.check('ours', run('skopeo-ts version 0.1.0\n'))).not.toThrow();
    expect(() => version?.check('skopeo', run('skopeo version 1.9.3\n'))).not.toThrow();
    expect(() => version?.check('ours', run(''))).toThrow(/ours --version printed ""/);
    expect(() => inspect?.check('ours', run(JSON.stringify({ Digest: digest })))).not.toThrow();
    expect(() => inspect?.check('skopeo', run('{"Digest":"sha256:00"}'))).toThrow(/expected sha256:/);
    expect(() => inspect?.check('skopeo', run('not json'))).toThrow(/Digest undefined/);
  });
});

describe('fixtureDigest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a layout without the tag', () => {
    cpSync(join(HELLO, 'index.json'), join(dir, 'index.json'));
    expect(() => fixtureDigest(dir, 'nope')).toThrow(/no image tagged nope/);
  });
});

describe('rotate', () => {
  it('starts each round with the next command', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
    expect(rotate([], 3)).toEqual([]);
  });
});
