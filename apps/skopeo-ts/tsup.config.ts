import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is the bin; index.ts the programmatic API (main with the transports bundled).
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  // The CLI, core and the transports stay separate packages (dependencies, not bundled): the
  // transports are imported only when a command uses them, and a plugin's peer @skopeo-ts/core
  // is the one installed here.
  external: [/^@skopeo-ts\//],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
});
