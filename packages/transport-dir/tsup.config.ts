import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // A peer: the application's copy of core must be the one used, never a bundled one. The lock
  // is a dependency: imported, not bundled.
  external: ['@skopeo-ts/core', '@skopeo-ts/file-lock'],
});
