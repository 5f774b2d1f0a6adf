// Layers the copy engine gzips must be read by Go's decompressor: skopeo (the oracle) copies an
// OCI layout holding them into dir: decompressing every layer, and each result must match its
// DiffID. Needs `skopeo` (Debian package skopeo) and `tar`, `gzip` on PATH.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  copyImage,
  DEFAULT_PARALLEL_GZIP_BLOCK_SIZE,
  digestOf,
  MEDIA_TYPE_OCI_MANIFEST,
  parseManifest,
} from '../src/index.js';
import { addBlob, createMemoryTransport, newStore } from './memory-transport.js';

const work = mkdtempSync(join(tmpdir(), 'core-pgzip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], input?: Buffer): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new Error(
      `cannot run ${command} (${result.error.message})${command === 'skopeo' ? ': install the Debian package skopeo' : ''}`,
    );
  }
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** A real tar layer: text that compresses, random bytes that do not, several gzip blocks long. */
function tarLayer(name: string, bytes: number): Uint8Array {
  const root = join(work, name);
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(
    join(root, 'etc', 'words'),
    'the quick brown fox jumps over the lazy dog\n'.repeat(bytes / 90),
  );
  writeFileSync(join(root, 'random.bin'), randomBytes(bytes / 2));
  run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-cf', `${root}.tar`, '-C', root, '.']);
  return readFileSync(`${root}.tar`);
}

describe('layers gzipped by the copy engine', () => {
  it('are single gzip members that skopeo decompresses to their DiffIDs', { timeout: 120_000 }, async () => {
    const from = newStore();
    const to = newStore();
    const raw = [tarLayer('big', DEFAULT_PARALLEL_GZIP_BLOCK_SIZE * 3 + 12345), tarLayer('small', 2000)];
    const layers = raw.map((bytes) => addBlob(from, bytes));
    const config = addBlob(
      from,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: raw.map((bytes) => digestOf(bytes)) },
        }),
      ),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer })),
      }),
    );
    from.images.set('src', {
      manifest: { bytes: manifest, mediaType: MEDIA_TYPE_OCI_MANIFEST },
      instances: new Map(),
      signatures: [],
    });

    const result = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(to, { desiredLayerCompression: 'compress' }).ref('dst'),
    );
    const written = parseManifest(result.manifest);
    if (written.kind !== 'oci-manifest') throw new Error('expected an OCI manifest');

    // The destination's blobs as an OCI layout, for skopeo to read.
    const layout = join(work, 'layout');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    for (const [digest, bytes] of to.blobs) {
      writeFileSync(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    }
    writeFileSync(join(layout, 'blobs', 'sha256', result.digest.slice('sha256:'.length)), result.manifest);
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: MEDIA_TYPE_OCI_MANIFEST,
            digest: result.digest,
            size: result.manifest.length,
            annotations: { 'org.opencontainers.image.ref.name': 'v1' },
          },
        ],
      }),
    );

    written.manifest.layers.forEach((layer, i) => {
      expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      const blob = Buffer.from(to.blobs.get(layer.digest)!);
      run('gzip', ['-t'], blob);
      expect(run('gzip', ['-l'], blob)).toContain(String(raw[i]!.length));
    });
    const big = to.blobs.get(written.manifest.layers[0]!.digest)!;
    expect(big.length).toBeLessThan(raw[0]!.length);

    const inspected = JSON.parse(run('skopeo', ['inspect', `oci:${layout}:v1`])) as { Layers: string[] };
    expect(inspected.Layers).toEqual(written.manifest.layers.map((layer) => layer.digest));

    const dir = join(work, 'dir');
    run('skopeo', ['copy', '--dest-decompress', `oci:${layout}:v1`, `dir:${dir}`]);
    const copied = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      layers: { digest: string }[];
    };
    expect(copied.layers.map((layer) => layer.digest)).toEqual(raw.map((bytes) => digestOf(bytes)));
    for (const [i, layer] of copied.layers.entries()) {
      const file = readFileSync(join(dir, layer.digest.slice('sha256:'.length)));
      expect(file.equals(Buffer.from(raw[i]!))).toBe(true);
    }
  });
});
