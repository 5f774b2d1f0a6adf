import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The tests run the built CLI and skopeo as subprocesses on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
