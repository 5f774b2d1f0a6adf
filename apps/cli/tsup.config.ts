import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  // cli.ts is the bin; index.ts the programmatic API (main). Commands' code sits in chunks
  // that are imported only when the command runs.
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  // commander is bundled in; core stays a dependency so the CLI and the plugins (which peer on
  // it) load one copy when the package manager dedupes it. Two copies still work: plugin objects
  // and errors are recognised by brand, not by class.
  noExternal: ['commander'],
  define: { __SKOPEO_TS_CLI_VERSION__: JSON.stringify(version) },
  dts: { entry: 'src/index.ts' },
  // commander is CommonJS: its require() calls of Node built-ins need a require in ESM chunks.
  banner: {
    js: "import { createRequire as __skopeoTsRequire } from 'node:module'; const require = __skopeoTsRequire(import.meta.url);",
  },
  sourcemap: true,
  clean: true,
});
