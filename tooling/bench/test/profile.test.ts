import { describe, expect, it } from 'vitest';
import { summarizeProfile } from '../src/profile.js';

describe('summarizeProfile', () => {
  it('adds self time by function and by kind of work', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
    const summary = summarizeProfile({
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
        { id: 2, callFrame: frame('update', 'node:internal/crypto/hash') },
        { id: 3, callFrame: frame('(idle)') },
        { id: 4, callFrame: frame('read') },
        { id: 5, callFrame: frame('copyBlob', 'file:///repo/packages/core/dist/index.js') },
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [2, 2, 3, 4, 5, 2],
      timeDeltas: [1000, 1000, 4000, 1000, 1000, 2000],
    });
    expect(summary.totalMs).toBe(10);
    expect(summary.categories[0]).toEqual({ name: 'sha256 (node:crypto)', ms: 4 });
    expect(summary.categories.map((c) => c.name)).toContain('idle (waiting for I/O / thread pool)');
    expect(summary.categories.map((c) => c.name)).toContain('fs calls into libuv (native)');
    expect(summary.categories.map((c) => c.name)).toContain('skopeo-ts core/CLI (JS)');
    // idle is a category, never a "top function"
    expect(summary.functions.map((f) => f.name)).not.toContain('(idle)');
    expect(summary.functions[0]).toEqual({ name: 'update node:internal/crypto/hash:1', ms: 4 });
  });
});
