import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // One copy of core per install (the CLI's); native addons must stay real node_modules.
  external: ['@skopeo-ts/core', '@skopeo-ts/tar-split', 'fs-ext', 'fs-xattr', 'smol-toml'],
});
