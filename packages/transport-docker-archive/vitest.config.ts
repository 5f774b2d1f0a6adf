import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The skopeo oracle copies real images: give it room on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
