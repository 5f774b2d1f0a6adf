import { defineConfig } from 'tsup';

export default defineConfig({
  // bench.ts drives everything; runner.ts is the "--via library" copy process it spawns.
  entry: ['src/bench.ts', 'src/runner.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // Measure the workspace packages as they are built, never a bundled copy of them.
  external: [/^@skopeo-ts\//],
});
