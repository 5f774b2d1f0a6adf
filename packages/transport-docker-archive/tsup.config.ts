import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // One copy of core per install: the plugin uses the CLI's (its peer), never a bundled one.
  external: ['@skopeo-ts/core', 'tar-stream'],
});
