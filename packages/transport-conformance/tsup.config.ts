import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // The suite must run inside the caller's vitest and against the caller's core (one copy of each).
  external: ['vitest', '@skopeo-ts/core'],
});
