import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isSkopeoError, isTransportPlugin } from '@skopeo-ts/core';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, { DirReference, dirTransport, parseDirReference } from '../src/index.js';
import { caught } from './helpers.js';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir('transport-dir-ref');
});
afterAll(() => tmp.cleanup());

describe('dir: references', () => {
  it('make the path absolute and clean', () => {
    const ref = dirTransport.parseReference('/var/tmp/../tmp//image/');
    expect(ref).toBeInstanceOf(DirReference);
    expect(ref.toString()).toBe('dir:/var/tmp/image');
    expect(ref.withinTransport).toBe('/var/tmp/image');
    expect(ref.transport).toBe(dirTransport);
    expect(ref.dockerReference).toBeUndefined();
  });

  it('take relative paths from the current directory', () => {
    expect(parseDirReference('some/image').toString()).toBe(`dir:${resolve('some/image')}`);
    expect(parseDirReference('.').withinTransport).toBe(process.cwd());
  });

  it('refuse an empty path', async () => {
    const error = await caught(async () => dirTransport.parseReference(''));
    expect(isSkopeoError(error, 'INVALID_REFERENCE')).toBe(true);
    expect(error.message).toContain('dir:');
    expect(error.message).toMatch(/empty/);
  });

  it('refuse a path with a NUL byte', () => {
    expect(() => parseDirReference('/tmp/a\0b')).toThrow(/NUL/);
  });

  it('use the symlink-free path as policy identity, and its parents as namespaces', async () => {
    const real = join(tmp.path, 'real');
    await mkdir(real);
    await symlink(real, join(tmp.path, 'link'));
    const ref = parseDirReference(join(tmp.path, 'link', 'image'));
    // The typed path stays what file operations use; policy sees through the link.
    expect(ref.toString()).toBe(`dir:${join(tmp.path, 'link', 'image')}`);
    const resolvedTmp = ref.policyIdentity().slice(0, -'/real/image'.length);
    expect(ref.policyIdentity()).toBe(`${resolvedTmp}/real/image`);
    const namespaces = ref.policyNamespaces();
    expect(namespaces[0]).toBe(`${resolvedTmp}/real`);
    expect(namespaces[1]).toBe(resolvedTmp);
    expect(namespaces).not.toContain('/');
    expect(namespaces.at(-1)?.split('/').length).toBe(2);
  });

  it('accept a path whose parents do not exist yet (the destination creates them)', () => {
    const ref = parseDirReference('/nonexistent-skopeo-ts/a/b');
    expect(ref.policyIdentity()).toBe('/nonexistent-skopeo-ts/a/b');
    expect(ref.policyNamespaces()).toEqual(['/nonexistent-skopeo-ts/a', '/nonexistent-skopeo-ts']);
  });

  it('cannot be deleted, as in skopeo', async () => {
    const error = await caught(() => parseDirReference(tmp.path).delete({}));
    expect(isSkopeoError(error, 'UNSUPPORTED')).toBe(true);
    expect(error.message).toContain('dir:');
  });
});

describe('dir: policy scopes', () => {
  const validate = (scope: string) => () => dirTransport.validatePolicyScope?.(scope);
  it('accept absolute clean paths', () => {
    expect(validate('/var/lib/images')).not.toThrow();
    expect(validate('/a')).not.toThrow();
  });
  it('refuse relative, "/" and unclean paths', () => {
    expect(validate('images')).toThrow(/absolute/);
    expect(validate('/')).toThrow(/default scope/);
    expect(validate('/a/../b')).toThrow(/perhaps \/b/);
    expect(validate('/a/')).toThrow(/perhaps \/a/);
    expect(validate('//a')).toThrow(/canonical/);
  });
});

describe('the plugin', () => {
  it('is the branded default export, named after package.json', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      name: string;
      version: string;
      'skopeo-ts': { transports: string[] };
    };
    expect(isTransportPlugin(plugin)).toBe(true);
    expect(plugin.packageName).toBe(pkg.name);
    expect(plugin.packageVersion).toBe(pkg.version);
    expect(plugin.transports.map((t) => t.name)).toEqual(pkg['skopeo-ts'].transports);
    expect(plugin.transports[0]).toBe(dirTransport);
  });
});
