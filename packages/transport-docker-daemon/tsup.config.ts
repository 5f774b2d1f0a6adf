import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // One copy of core per install: the plugin uses the CLI's (its peer), never a bundled one.
  // ssh2 stays a runtime import, loaded only when an ssh:// host is used; undici parts load on the
  // first engine request.
  external: ['@skopeo-ts/core', '@skopeo-ts/transport-docker-archive', 'ssh2', 'undici'],
});
