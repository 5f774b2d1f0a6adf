import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  // A peer dependency: the plugin must use the application's copy of core, never a bundled one.
  external: ['@skopeo-ts/core'],
});
