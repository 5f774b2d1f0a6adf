import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Child processes, kill -9 and the skopeo oracle copy real images: give them room on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
