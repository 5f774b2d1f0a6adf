import { describe, expect, it } from 'vitest';
import type { ImageReference, Transport } from '../src/contracts/index.js';
import {
  API_VERSION,
  assertCompatiblePlugin,
  defineTransportPlugin,
  isTransportPlugin,
  MemoryBlobInfoCache,
} from '../src/contracts/index.js';
import { isSkopeoError } from '../src/errors.js';

const dummyTransport: Transport = {
  name: 'dummy',
  parseReference(): ImageReference {
    throw new Error('not used');
  },
};

describe('transport plugins', () => {
  it('are branded with the current API version', () => {
    const plugin = defineTransportPlugin({
      packageName: 'skopeo-ts-transport-dummy',
      packageVersion: '1.0.0',
      transports: [dummyTransport],
    });
    expect(plugin.apiVersion).toBe(API_VERSION);
    expect(isTransportPlugin(plugin)).toBe(true);
    expect(isTransportPlugin({ ...plugin })).toBe(true);
    expect(assertCompatiblePlugin(plugin, 'dummy')).toBe(plugin);
  });

  it('refuse a module that is not a plugin, naming where it came from', () => {
    expect(() => assertCompatiblePlugin({ default: 1 }, 'package x')).toThrow(
      /package x does not export a skopeo-ts transport plugin/,
    );
  });

  it('refuse an incompatible API version, naming both versions', () => {
    const future = { brand: 'skopeo-ts.transport-plugin', apiVersion: 99, transports: [dummyTransport] };
    try {
      assertCompatiblePlugin(future, 'skopeo-ts-transport-future@3.0.0');
      expect.unreachable();
    } catch (error) {
      expect(isSkopeoError(error, 'INCOMPATIBLE_PLUGIN')).toBe(true);
      expect((error as Error).message).toContain('API version 99');
      expect((error as Error).message).toContain(`supports version ${API_VERSION}`);
    }
  });

  it('refuse a plugin without transports', () => {
    expect(() =>
      defineTransportPlugin({ packageName: 'x', packageVersion: '0.0.1', transports: [] }),
    ).toThrow(/declares no transport/);
  });
});

describe('MemoryBlobInfoCache', () => {
  it('remembers uncompressed digests and known locations, most recent first', () => {
    const cache = new MemoryBlobInfoCache();
    const gz = `sha256:${'1'.repeat(64)}` as const;
    const raw = `sha256:${'2'.repeat(64)}` as const;
    cache.recordDigestUncompressedPair(gz, raw);
    expect(cache.uncompressedDigest(gz)).toBe(raw);
    expect(cache.uncompressedDigest(raw)).toBe(raw);
    cache.recordKnownLocation(gz, { transport: 'docker', scope: 'r:5000', location: 'a' });
    cache.recordKnownLocation(gz, { transport: 'docker', scope: 'r:5000', location: 'b' });
    cache.recordKnownLocation(gz, { transport: 'docker', scope: 'r:5000', location: 'a' });
    cache.recordKnownLocation(gz, { transport: 'docker', scope: 'other', location: 'c' });
    expect(cache.knownLocations(gz, 'docker', 'r:5000').map((l) => l.location)).toEqual(['a', 'b']);
  });
});
