import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The differential test drives skopeo into a containers-storage store: slow on 2 shared cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
