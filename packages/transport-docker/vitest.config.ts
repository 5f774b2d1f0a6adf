import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real registries, token servers and the skopeo oracle on 2 cores: give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
