// Hostile or broken layers are refused and leave nothing behind: no image, no layer record, no
// driver directory, nothing written outside the store.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import {
  blobsOf,
  buildImage,
  createMemoryTransport,
  loadTestImage,
  type TarEntry,
} from '@skopeo-ts/transport-conformance';
import { describe, expect, it } from 'vitest';
import { expectSkopeoError, podman, type TestStore, useTempDirs } from './helpers.js';

const temp = useTempDirs();

async function sourceOf(entries: TarEntry[][]) {
  const memory = createMemoryTransport();
  const image = await buildImage({
    name: 'hostile',
    format: 'oci',
    layers: entries.map((layer) => ({ entries: layer, compression: 'gzip' as const })),
  });
  loadTestImage(memory.store, 'hostile', image);
  return memory.transport.parseReference('hostile');
}

/** No image, and only the `harmless` layers below the refused one (kept, as c/storage keeps them). */
async function expectNothingStored(store: TestStore, harmless = 0): Promise<void> {
  const layers = await readFile(join(store.graphRoot, `${store.driver}-layers/layers.json`), 'utf8').catch(
    () => '[]',
  );
  expect(JSON.parse(layers)).toHaveLength(harmless);
  const home = store.driver === 'vfs' ? join(store.graphRoot, 'vfs/dir') : join(store.graphRoot, 'overlay');
  expect((await readdir(home)).filter((name) => /^[0-9a-f]{64}$/.test(name))).toHaveLength(harmless);
  expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toEqual([]);
}

const hostile: [string, (outside: string) => TarEntry[][]][] = [
  ['a ".." path', () => [[{ type: 'file', path: '../escaped', content: 'x' }]]],
  [
    'a file written through an absolute symlink',
    (outside) => [
      [
        { type: 'symlink', path: 'link', target: outside },
        { type: 'file', path: 'link/escaped', content: 'x' },
      ],
    ],
  ],
  [
    'a file written through a symlink of a lower layer',
    (outside) => [
      [{ type: 'symlink', path: 'link', target: outside }],
      [{ type: 'file', path: 'link/escaped', content: 'x' }],
    ],
  ],
  [
    'a hard link out of the tree',
    () => [[{ type: 'hardlink', path: 'stolen', target: '../../../../etc/passwd' }]],
  ],
];

describe.each(['vfs', 'overlay'] as const)('%s: hostile layers', (setup) => {
  it.each(hostile)('refuses %s and stores nothing', async (what, layers) => {
    const outside = await temp.dir();
    const store = await temp.store(setup);
    const copy = copyImage(await sourceOf(layers(outside)), store.ref('localhost/evil:v1'));
    if (setup === 'overlay' && what.includes('lower layer')) {
      // overlay unpacks each layer into its own diff/: the lower layer's symlink is not there,
      // so the file lands in a directory of the layer itself, as with containers/storage.
      await copy;
      expect(await readdir(outside)).toEqual([]);
      return;
    }
    const error = await expectSkopeoError(copy, 'CORRUPT');
    expect(error.message).toMatch(/climbs out|symbolic link/);
    expect(await readdir(outside)).toEqual([]);
    await expectNothingStored(store, layers(outside).length - 1);
  });

  it('refuses a layer whose DiffID differs from the config and stores nothing', async () => {
    const memory = createMemoryTransport();
    const image = await buildImage({
      name: 'lying',
      format: 'oci',
      layers: [{ entries: [{ type: 'file', path: 'a', content: 'a' }], compression: 'gzip' }],
    });
    for (const blob of blobsOf(image)) memory.store.addBlob(blob.digest, blob.bytes);
    const config = JSON.parse(Buffer.from(image.config.bytes).toString('utf8')) as {
      rootfs: { diff_ids: string[] };
    };
    config.rootfs.diff_ids = [`sha256:${'0'.repeat(64)}`];
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}` as const;
    memory.store.addBlob(configDigest, configBytes);
    const manifest = JSON.parse(Buffer.from(image.manifest.bytes).toString('utf8')) as {
      config: { digest: string; size: number };
    };
    manifest.config = { ...manifest.config, digest: configDigest, size: configBytes.length };
    memory.store.setImage('lying', {
      manifest: { bytes: Buffer.from(JSON.stringify(manifest)), mediaType: image.manifest.mediaType },
      instances: new Map(),
      signatures: new Map(),
    });
    const store = await temp.store(setup);
    await expectSkopeoError(
      copyImage(memory.transport.parseReference('lying'), store.ref('localhost/lying:v1')),
      'DIGEST_MISMATCH',
    );
    await expectNothingStored(store);
  });
});
