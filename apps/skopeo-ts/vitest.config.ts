import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The tests pack and install packages with npm and run the installed CLI and skopeo as
    // subprocesses on a 2-core machine.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
