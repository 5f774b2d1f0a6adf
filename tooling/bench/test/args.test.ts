import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/args.js';
import { DEFAULT_REPORT_PATH } from '../src/paths.js';

describe('parseBenchArgs', () => {
  it('has the documented defaults', () => {
    const options = parseBenchArgs([]);
    expect(options).toMatchObject({
      runs: 5,
      largeRuns: 3,
      large: true,
      via: 'auto',
      rss: 'auto',
      profile: false,
      startupRuns: 20,
    });
    expect(options.output).toBe(DEFAULT_REPORT_PATH);
    expect(options.cases).toBeUndefined();
  });

  it('takes what pnpm passes after --', () => {
    const options = parseBenchArgs([
      '--',
      '--runs',
      '3',
      '--via',
      'library',
      '--cases',
      'oci-oci, dir-oci',
      '--no-write',
    ]);
    expect(options).toMatchObject({
      runs: 3,
      via: 'library',
      cases: ['oci-oci', 'dir-oci'],
      output: undefined,
    });
  });

  it('skips the 2x image with --no-large or --large-runs 0', () => {
    expect(parseBenchArgs(['--no-large']).large).toBe(false);
    expect(parseBenchArgs(['--large-runs', '0']).large).toBe(false);
  });

  it('takes the number of start-up runs; --no-startup or 0 skips start-up', () => {
    expect(parseBenchArgs(['--startup-runs', '7']).startupRuns).toBe(7);
    expect(parseBenchArgs(['--startup-runs', '0']).startupRuns).toBe(0);
    expect(parseBenchArgs(['--no-startup']).startupRuns).toBe(0);
    expect(() => parseBenchArgs(['--startup-runs', '-1'])).toThrow(/--startup-runs/);
  });

  it('refuses bad values with a message naming the flag', () => {
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow(/--runs/);
    expect(() => parseBenchArgs(['--via', 'rust'])).toThrow(/--via must be one of auto, cli, library/);
    expect(() => parseBenchArgs(['--bogus'])).toThrow();
  });
});
