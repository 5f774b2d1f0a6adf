import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSkopeoError } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import plugin, {
  OciArchiveReference,
  OciLayoutReference,
  ociArchiveTransport,
  ociTransport,
  parseLayoutReferenceText,
} from '../src/index.js';
import packageJson from '../package.json' with { type: 'json' };

describe('oci: references', () => {
  const accepted: [string, { path: string; image: string; sourceIndex?: number }, string][] = [
    ['/srv/layout', { path: '/srv/layout', image: '' }, 'oci:/srv/layout'],
    ['/srv/layout:latest', { path: '/srv/layout', image: 'latest' }, 'oci:/srv/layout:latest'],
    ['relative/dir:v1.2.3', { path: 'relative/dir', image: 'v1.2.3' }, 'oci:relative/dir:v1.2.3'],
    // PATH ends at the first ":", the rest is the name (which may hold ":" and "@").
    [
      '/srv/l:example.com/repo:tag',
      { path: '/srv/l', image: 'example.com/repo:tag' },
      'oci:/srv/l:example.com/repo:tag',
    ],
    ['/srv/l:name@sha256', { path: '/srv/l', image: 'name@sha256' }, 'oci:/srv/l:name@sha256'],
    ['/srv/l:a--b+c_d', { path: '/srv/l', image: 'a--b+c_d' }, 'oci:/srv/l:a--b+c_d'],
    ['/srv/l:UPPER/lower', { path: '/srv/l', image: 'UPPER/lower' }, 'oci:/srv/l:UPPER/lower'],
    ['/srv/l:@0', { path: '/srv/l', image: '', sourceIndex: 0 }, 'oci:/srv/l:@0'],
    ['/srv/l:@12', { path: '/srv/l', image: '', sourceIndex: 12 }, 'oci:/srv/l:@12'],
    ['/srv/l:', { path: '/srv/l', image: '' }, 'oci:/srv/l'],
  ];
  it.each(accepted)('parses %s', (input, expected, shown) => {
    const ref = ociTransport.parseReference(input) as OciLayoutReference;
    expect(ref).toBeInstanceOf(OciLayoutReference);
    expect({ path: ref.path, image: ref.image, sourceIndex: ref.sourceIndex }).toEqual({
      sourceIndex: undefined,
      ...expected,
    });
    expect(ref.toString()).toBe(shown);
    expect(ref.dockerReference).toBeUndefined();
    // withinTransport parses back to the same reference.
    expect(ociTransport.parseReference(ref.withinTransport).toString()).toBe(shown);
  });

  const refused: [string, RegExp][] = [
    ['', /path before the first ":" is empty/],
    [':tag', /path before the first ":" is empty/],
    ['/srv/l:bad name', /"bad name" is not a valid image name/],
    ['/srv/l:-leading', /not a valid image name/],
    ['/srv/l:trailing.', /not a valid image name/],
    ['/srv/l:a..b', /not a valid image name/],
    ['/srv/l:a//b', /not a valid image name/],
    ['/srv/l:a---b', /not a valid image name/],
    ['/srv/l:ünïcode', /not a valid image name/],
    ['/srv/l:@', /"@" is not a valid source index/],
    ['/srv/l:@-1', /"@-1" is not a valid source index/],
    ['/srv/l:@x', /"@x" is not a valid source index/],
    ['/srv/l:@1.5', /not a valid source index/],
    ['/srv/l:@99999999999999999999', /too large/],
  ];
  it.each(refused)('refuses %j with a clear InvalidReferenceError', (input, message) => {
    try {
      ociTransport.parseReference(input);
      expect.unreachable();
    } catch (error) {
      expect(isSkopeoError(error, 'INVALID_REFERENCE')).toBe(true);
      expect((error as Error).message).toContain(`"oci:${input}"`);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('uses the resolved path (not the name) as policy identity, parents as namespaces', () => {
    const base = realpathSync(tmpdir());
    const ref = ociTransport.parseReference(`${join(tmpdir(), 'not', 'yet', 'there')}:tag`);
    expect(ref.policyIdentity()).toBe(join(base, 'not', 'yet', 'there'));
    const namespaces = ref.policyNamespaces();
    expect(namespaces[0]).toBe(join(base, 'not', 'yet', 'there'));
    expect(namespaces[1]).toBe(join(base, 'not', 'yet'));
    expect(namespaces).not.toContain('/');
    expect(namespaces.at(-1)?.split('/').length).toBe(2);
  });

  it('validates policy scopes as absolute canonical paths', () => {
    expect(() => ociTransport.validatePolicyScope?.('/srv/layouts')).not.toThrow();
    expect(() => ociTransport.validatePolicyScope?.('relative')).toThrow(/absolute path/);
    expect(() => ociTransport.validatePolicyScope?.('/')).toThrow(/default scope/);
    expect(() => ociTransport.validatePolicyScope?.('/srv//x/')).toThrow(/canonical form; use \/srv\/x/);
  });
});

describe('oci-archive: references', () => {
  it('parses PATH[:NAME] like oci:', () => {
    const ref = ociArchiveTransport.parseReference('/tmp/image.tar:repo/name:1.0') as OciArchiveReference;
    expect(ref).toBeInstanceOf(OciArchiveReference);
    expect([ref.path, ref.image]).toEqual(['/tmp/image.tar', 'repo/name:1.0']);
    expect(ref.toString()).toBe('oci-archive:/tmp/image.tar:repo/name:1.0');
  });

  it('has no @N form (as skopeo)', () => {
    expect(() => ociArchiveTransport.parseReference('/tmp/image.tar:@0')).toThrow(/has no @N form/);
    expect(() => parseLayoutReferenceText('oci-archive', '/a.tar:@1', false)).toThrow(
      /INVALID|invalid reference/,
    );
  });
});

describe('the plugin', () => {
  it('is the default export, declares both transports and matches package.json', () => {
    expect(plugin.brand).toBe('skopeo-ts.transport-plugin');
    expect(plugin.apiVersion).toBe(1);
    expect(plugin.packageName).toBe('@skopeo-ts/transport-oci');
    expect(plugin.packageVersion).toBe(packageJson.version);
    expect(plugin.transports.map((t) => t.name)).toEqual(packageJson['skopeo-ts'].transports);
  });
});
