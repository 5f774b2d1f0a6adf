// Unit tests of flag parsing, retries and the discovery helpers that need no install on disk.
import { SkopeoError } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import { isPathSpec } from '../src/discovery/explicit.js';
import { nodeModulesChain, searchDirectories } from '../src/discovery/search-paths.js';
import { isThirdPartyPluginName } from '../src/discovery/scan.js';
import { parseCreds } from '../src/options/context.js';
import { parseGoDuration, rewriteGoBooleans } from '../src/options/go-flags.js';
import { isRetryableError, withRetry } from '../src/options/retry.js';

describe('Go flag syntax', () => {
  it('rewrites --flag=false/true for boolean flags only', () => {
    const booleans = new Set(['tls-verify', 'raw']);
    const negatable = new Set(['tls-verify']);
    expect(
      rewriteGoBooleans(
        [
          '--tls-verify=false',
          '--raw=true',
          '--raw=0',
          '--format=json',
          '--tls-verify=T',
          '--',
          '--raw=false',
        ],
        booleans,
        negatable,
      ),
    ).toEqual(['--no-tls-verify', '--raw', '--format=json', '--tls-verify', '--', '--raw=false']);
  });

  it('parses Go durations to milliseconds', () => {
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('1500ms')).toBe(1500);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(() => parseGoDuration('10')).toThrow('invalid duration');
    expect(() => parseGoDuration('abc')).toThrow('invalid duration');
  });

  it('parses --creds as skopeo does', () => {
    expect(parseCreds('user:pa:ss')).toEqual({ username: 'user', password: 'pa:ss' });
    expect(parseCreds('user')).toEqual({ username: 'user', password: '' });
    expect(() => parseCreds(':pass')).toThrow("username can't be empty");
  });
});

describe('retries', () => {
  it('retries network errors and 5xx, never what cannot change', () => {
    expect(isRetryableError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(
      isRetryableError(new Error('wrapped', { cause: Object.assign(new Error('x'), { statusCode: 503 }) })),
    ).toBe(true);
    expect(isRetryableError(Object.assign(new Error('rate'), { status: 429 }))).toBe(true);
    expect(isRetryableError(new SkopeoError('NOT_FOUND', 'no image'))).toBe(false);
    expect(isRetryableError(new SkopeoError('DIGEST_MISMATCH', 'bad'))).toBe(false);
    expect(isRetryableError(new SkopeoError('INVALID_REFERENCE', 'bad'))).toBe(false);
    expect(isRetryableError(new Error('plain'))).toBe(false);
  });

  it('runs the operation again, with the fixed delay, up to --retry-times', async () => {
    let calls = 0;
    const warnings: string[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        return 'ok';
      },
      { times: 3, delayMs: 1 },
      (message) => warnings.push(message),
      undefined,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(warnings[0]).toContain('retrying in 1ms ... (1/3)');
    await expect(
      withRetry(
        async () => {
          throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        },
        { times: 1, delayMs: 1 },
        () => {},
        undefined,
      ),
    ).rejects.toThrow('refused');
  });
});

describe('discovery helpers', () => {
  it('searches every ancestor node_modules, never inside the pnpm virtual store', () => {
    expect(nodeModulesChain('/p/lib/node_modules/@skopeo-ts/cli/dist')).toEqual([
      '/p/lib/node_modules/@skopeo-ts/cli/dist/node_modules',
      '/p/lib/node_modules/@skopeo-ts/cli/node_modules',
      '/p/lib/node_modules/@skopeo-ts/node_modules',
      '/p/lib/node_modules',
      '/p/node_modules',
      '/node_modules',
    ]);
    expect(
      nodeModulesChain('/g/node_modules/.pnpm/@skopeo-ts+cli@0.1.0/node_modules/@skopeo-ts/cli/dist'),
    ).toEqual(['/g/node_modules', '/node_modules']);
  });

  it('puts the CLI install before the project, without repeats', () => {
    expect(searchDirectories('/a/node_modules/cli/dist', '/a/work')).toEqual([
      { path: '/a/node_modules/cli/dist/node_modules', origin: 'cli-install' },
      { path: '/a/node_modules/cli/node_modules', origin: 'cli-install' },
      { path: '/a/node_modules', origin: 'cli-install' },
      { path: '/node_modules', origin: 'cli-install' },
      { path: '/a/work/node_modules', origin: 'project' },
    ]);
  });

  it('knows plugin package names and explicit paths', () => {
    expect(isThirdPartyPluginName('skopeo-ts-transport-foo')).toBe(true);
    expect(isThirdPartyPluginName('@acme/skopeo-ts-transport-foo')).toBe(true);
    expect(isThirdPartyPluginName('skopeo-ts-transport-')).toBe(false);
    expect(isThirdPartyPluginName('skopeo-ts-foo')).toBe(false);
    expect(isPathSpec('@acme/skopeo-ts-transport-foo')).toBe(false);
    expect(isPathSpec('odd-name')).toBe(false);
    for (const path of ['./x', '../x', '/abs/x', '~/x', 'some/dir'])
      expect(isPathSpec(path), path).toBe(true);
  });
});
