import { describe, expect, it } from 'vitest';
import { gnuTimeAvailable, runMeasured } from '../src/measure.js';

// A child that touches 80 MB, holds it a moment and exits 3.
const ALLOCATE = 'const b = Buffer.alloc(80e6, 1); setTimeout(() => process.exit(b[0] + 2), 300);';

describe('runMeasured', () => {
  for (const method of ['proc', gnuTimeAvailable() ? 'time' : 'proc'] as const) {
    it(`sees a child's peak RSS, CPU time and exit status (${method})`, async () => {
      const result = await runMeasured(process.execPath, ['-e', ALLOCATE], { method });
      expect(result.exitCode).toBe(3);
      expect(result.peakRssBytes).toBeGreaterThan(80e6);
      expect(result.peakRssBytes).toBeLessThan(400e6);
      expect(result.cpuSeconds).toBeGreaterThanOrEqual(0);
      expect(result.wallSeconds).toBeGreaterThan(0.3);
    });
  }

  it('reports a command that cannot start as an error', async () => {
    await expect(runMeasured('/nonexistent/copier', [], { method: 'proc' })).rejects.toThrow(/ENOENT/);
  });
});
