// Lays out installs on disk the way npm and pnpm do, to test discovery without a registry: a copy of
// the built CLI in `PREFIX/lib/node_modules/@skopeo-ts/cli` (npm i -g --prefix PREFIX), and fake
// third-party transport packages (plain JS, self-contained: a branded plugin object, no core import).
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_DIR } from './run-cli.js';

/** Copies a package's dist/ and package.json to `target`. */
async function copyPackage(packageDir: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  await cp(join(packageDir, 'dist'), join(target, 'dist'), { recursive: true });
  await cp(join(packageDir, 'package.json'), join(target, 'package.json'));
}

/**
 * Copies the CLI to `<nodeModules>/@skopeo-ts/cli`, with its dependency @skopeo-ts/core nested
 * under it as `npm i -g` lays it out; returns the copied cli.js.
 */
export async function installCliCopy(nodeModules: string): Promise<string> {
  const target = join(nodeModules, '@skopeo-ts', 'cli');
  await copyPackage(PACKAGE_DIR, target);
  await copyPackage(
    join(PACKAGE_DIR, '..', '..', 'packages', 'core'),
    join(target, 'node_modules', '@skopeo-ts', 'core'),
  );
  return join(target, 'dist', 'cli.js');
}

export interface FakePluginOptions {
  /** npm package name. */
  name: string;
  transports: string[];
  /** What package.json declares (default 1). */
  apiVersion?: number;
  /** What the plugin object says (default: apiVersion). */
  objectApiVersion?: number;
  version?: string;
  /** Build the plugin with core's defineTransportPlugin (imported by absolute path). */
  useCore?: boolean;
  /** Label put in the image config, to tell plugins apart in output. */
  label?: string;
}

const CORE_ENTRY = join(PACKAGE_DIR, '..', '..', 'packages', 'core', 'dist', 'index.js');

/**
 * Writes a fake plugin package into `dir`. Each transport serves one tiny OCI image whose config
 * carries `label`; the reference "missing" is not found (a branded NOT_FOUND error). Importing it
 * writes `<FAKE_PLUGIN_MARKERS>/<name>` so tests can see which plugins were imported.
 */
export async function writeFakePlugin(dir: string, options: FakePluginOptions): Promise<void> {
  const apiVersion = options.apiVersion ?? 1;
  const objectApiVersion = options.objectApiVersion ?? apiVersion;
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: options.name,
        version: options.version ?? '1.2.3',
        type: 'module',
        exports: { '.': { import: './index.js' }, './package.json': './package.json' },
        'skopeo-ts': { apiVersion, transports: options.transports },
      },
      null,
      2,
    ),
  );
  const label = options.label ?? options.name;
  const plugin = options.useCore
    ? `import { defineTransportPlugin } from ${JSON.stringify(pathToFileURL(CORE_ENTRY).href)};
export default defineTransportPlugin({ packageName: NAME, packageVersion: '1.2.3', transports });`
    : `export default {
  brand: 'skopeo-ts.transport-plugin',
  apiVersion: ${objectApiVersion},
  packageName: NAME,
  packageVersion: '1.2.3',
  transports,
};`;
  await writeFile(
    join(dir, 'index.js'),
    `// A fake skopeo-ts transport plugin written by the CLI tests.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

const NAME = ${JSON.stringify(options.name)};
if (process.env.FAKE_PLUGIN_MARKERS) {
  writeFileSync(join(process.env.FAKE_PLUGIN_MARKERS, NAME.replaceAll('/', '+')), 'imported');
}

function skopeoError(code, message) {
  const error = new Error(message);
  error.brand = 'skopeo-ts.error';
  error.code = code;
  return error;
}

const sha256 = (bytes) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');
const config = Buffer.from(JSON.stringify({
  created: '2024-02-03T04:05:06Z',
  architecture: 'amd64',
  os: 'linux',
  config: { Labels: { plugin: ${JSON.stringify(label)} } },
  rootfs: { type: 'layers', diff_ids: [] },
}));
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
  layers: [],
}));

function makeTransport(name) {
  const transport = {
    name,
    parseReference(rest) {
      if (rest.includes('!')) throw skopeoError('INVALID_REFERENCE', 'invalid reference "' + name + ':' + rest + '": no "!" allowed');
      const reference = {
        transport,
        withinTransport: rest,
        dockerReference: undefined,
        toString: () => name + ':' + rest,
        policyIdentity: () => '',
        policyNamespaces: () => [],
        async newSource() {
          if (rest === 'missing') throw skopeoError('NOT_FOUND', name + ':' + rest + ': no such image');
          return {
            reference,
            threadSafe: true,
            async getManifest() { return { bytes: manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json' }; },
            async getBlob() { return { stream: Readable.from([config]), size: config.length }; },
            async getSignatures() { return []; },
            async close() {},
          };
        },
        async newDestination() { throw skopeoError('UNSUPPORTED', 'the ' + name + ': transport is read-only'); },
        async delete() { throw skopeoError('UNSUPPORTED', 'deleting images is not supported by the ' + name + ': transport'); },
      };
      return reference;
    },
  };
  return transport;
}

const transports = ${JSON.stringify(options.transports)}.map(makeTransport);
${plugin}
`,
  );
}
