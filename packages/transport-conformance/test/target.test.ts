// The target's capabilities are checked when the suite is defined: contradictory ones fail the
// file at once, naming the target, instead of failing tests in puzzling ways.
import { describe, expect, it } from 'vitest';
import { createMemoryTransport } from '../src/index.js';
import { type ConformanceTarget, resolveTarget } from '../src/target.js';

const memory = createMemoryTransport({ name: 'memory-target' });

function target(
  capabilities: Partial<ConformanceTarget['capabilities']>,
  variant?: string,
): ConformanceTarget {
  return {
    name: 'memory-target',
    ...(variant === undefined ? {} : { variant }),
    plugin: memory.plugin,
    newLocation: (_scratch, name) => `memory-target:${name}`,
    missingImage: () => 'memory-target:missing',
    invalidReferences: [''],
    capabilities: {
      manifestLists: false,
      signatures: false,
      delete: false,
      concurrentWriters: 'error',
      ...capabilities,
    },
  };
}

describe('resolveTarget', () => {
  it('defaults: existing images are replaced, manifests and layers are kept as written', () => {
    const resolved = resolveTarget(target({}));
    expect(resolved.capabilities.existingImage).toBe('replace');
    expect(resolved.policy.storesOwnManifest).toBe(false);
    expect(resolved.policy.storedLayerCompression).toBeUndefined();
    expect(resolved.title).toBe('memory-target');
  });

  it('a variant goes into the title', () => {
    expect(resolveTarget(target({}, 'refusing')).title).toBe('memory-target (refusing)');
  });

  it("refuses existingImage 'refuse' with concurrent writers into one reference 'safe'", () => {
    expect(() => resolveTarget(target({ existingImage: 'refuse', concurrentWriters: 'safe' }))).toThrow(
      /memory-target.*existingImage 'refuse'/,
    );
  });

  it('refuses storesOwnManifest with manifest lists', () => {
    expect(() => resolveTarget(target({ storesOwnManifest: true, manifestLists: true }))).toThrow(
      /memory-target.*storesOwnManifest with manifestLists/,
    );
  });

  it('refuses unknown values', () => {
    expect(() => resolveTarget(target({ existingImage: 'keep' as never }))).toThrow(/existingImage/);
    expect(() => resolveTarget(target({ storedLayerCompression: 'zstd' as never }))).toThrow(
      /storedLayerCompression/,
    );
  });
});
