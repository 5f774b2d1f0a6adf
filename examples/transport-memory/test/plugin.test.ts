// The plugin object agrees with what package.json promises, and the store is where it says.
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_VERSION, assertCompatiblePlugin, isSkopeoError } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import plugin, { MEMORY_DIR_VARIABLE, parseMemoryReference, storeRoot } from '../src/index.js';

const packageJson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  'skopeo-ts': { apiVersion: number; transports: string[] };
};

describe('the plugin', () => {
  it('is what package.json declares', () => {
    assertCompatiblePlugin(plugin, 'the default export');
    expect(plugin.packageName).toBe(packageJson.name);
    expect(plugin.packageVersion).toBe(packageJson.version);
    expect(plugin.apiVersion).toBe(packageJson['skopeo-ts'].apiVersion);
    expect(packageJson['skopeo-ts'].apiVersion).toBe(API_VERSION);
    expect(plugin.transports.map((transport) => transport.name)).toEqual(packageJson['skopeo-ts'].transports);
  });

  it('names references memory:NAME and refuses bad names with the input quoted', () => {
    expect(parseMemoryReference('app:1.0').toString()).toBe('memory:app:1.0');
    let error: unknown;
    try {
      parseMemoryReference('../etc');
    } catch (caught) {
      error = caught;
    }
    expect(isSkopeoError(error, 'INVALID_REFERENCE')).toBe(true);
    expect((error as Error).message).toContain('"memory:../etc"');
  });

  it(`keeps images in $${MEMORY_DIR_VARIABLE}, else in the system's temp directory`, () => {
    expect(storeRoot({ env: { [MEMORY_DIR_VARIABLE]: '/srv/memory' } })).toBe('/srv/memory');
    expect(storeRoot({ env: {} })).toBe(join(tmpdir(), 'skopeo-ts-memory'));
  });
});
