import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // A peer: the errors thrown must be the application's core's, never a bundled copy's.
  external: ['@skopeo-ts/core'],
});
