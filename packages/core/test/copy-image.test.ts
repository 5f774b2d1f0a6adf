import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  copyImage,
  type Digest,
  digestOf,
  isSkopeoError,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  manifestDigest,
  type ProgressEvent,
  isRetryableError,
  parseManifest,
} from '../src/index.js';
import { addBlob, createMemoryTransport, type MemoryStore, newStore } from './memory-transport.js';

const encoder = new TextEncoder();

interface BuiltImage {
  manifest: Uint8Array;
  digest: Digest;
  layers: { digest: Digest; size: number }[];
}

function buildImage(
  store: MemoryStore,
  opts: { layers: string[]; gzip?: boolean; docker?: boolean; arch?: string; name?: string },
): BuiltImage {
  const raw = opts.layers.map((content) => encoder.encode(content.repeat(100)));
  const stored = raw.map((bytes) => (opts.gzip === false ? bytes : gzipSync(bytes)));
  const layers = stored.map((bytes) => addBlob(store, bytes));
  const config = addBlob(
    store,
    encoder.encode(
      JSON.stringify({
        architecture: opts.arch ?? 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: raw.map((bytes) => digestOf(bytes)) },
      }),
    ),
  );
  const layerType = opts.docker
    ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
    : opts.gzip === false
      ? 'application/vnd.oci.image.layer.v1.tar'
      : 'application/vnd.oci.image.layer.v1.tar+gzip';
  const manifest = encoder.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: opts.docker ? MEDIA_TYPE_DOCKER_V2S2_MANIFEST : MEDIA_TYPE_OCI_MANIFEST,
      config: {
        mediaType: opts.docker
          ? 'application/vnd.docker.container.image.v1+json'
          : 'application/vnd.oci.image.config.v1+json',
        ...config,
      },
      layers: layers.map((layer) => ({ mediaType: layerType, ...layer })),
    }),
  );
  const image = { manifest, digest: digestOf(manifest), layers };
  if (opts.name) {
    store.images.set(opts.name, {
      manifest: {
        bytes: manifest,
        mediaType: opts.docker ? MEDIA_TYPE_DOCKER_V2S2_MANIFEST : MEDIA_TYPE_OCI_MANIFEST,
      },
      instances: new Map(),
      signatures: [],
    });
  }
  return image;
}

function buildIndex(
  store: MemoryStore,
  name: string,
): { index: Uint8Array; images: Record<string, BuiltImage> } {
  const images: Record<string, BuiltImage> = {
    amd64: buildImage(store, { layers: ['amd64-a', 'shared'], arch: 'amd64' }),
    arm64: buildImage(store, { layers: ['arm64-a', 'shared'], arch: 'arm64' }),
  };
  const index = encoder.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_INDEX,
      manifests: Object.entries(images).map(([arch, image]) => ({
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        digest: image.digest,
        size: image.manifest.length,
        platform: { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) },
      })),
    }),
  );
  store.images.set(name, {
    manifest: { bytes: index, mediaType: MEDIA_TYPE_OCI_INDEX },
    instances: new Map(
      Object.values(images).map((image) => [
        image.digest,
        { bytes: image.manifest, mediaType: MEDIA_TYPE_OCI_MANIFEST },
      ]),
    ),
    signatures: [],
  });
  return { index, images };
}

describe('copyImage', () => {
  it('copies an image keeping the manifest bytes, and reports progress', async () => {
    const from = newStore();
    const to = newStore();
    const image = buildImage(from, { layers: ['a', 'b', 'c'], name: 'src' });
    const events: ProgressEvent[] = [];
    const result = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(to).ref('dst'),
      {
        progress: (event) => events.push(event),
      },
    );
    expect(result.digest).toBe(image.digest);
    expect(Buffer.from(to.images.get('dst')!.manifest.bytes)).toEqual(Buffer.from(image.manifest));
    for (const layer of image.layers)
      expect(to.blobs.get(layer.digest)).toEqual(from.blobs.get(layer.digest));
    const messages = events.filter((e) => e.kind === 'message').map((e) => e.message);
    expect(messages).toEqual(['Getting image source signatures', 'Writing manifest to image destination']);
    expect(events.filter((e) => e.kind === 'blob-done')).toHaveLength(4);
  });

  it('skips blobs the destination already has', async () => {
    const from = newStore();
    const to = newStore();
    const image = buildImage(from, { layers: ['a', 'b'], name: 'src' });
    to.blobs.set(image.layers[0]!.digest, from.blobs.get(image.layers[0]!.digest)!);
    const events: ProgressEvent[] = [];
    await copyImage(createMemoryTransport(from).ref('src'), createMemoryTransport(to).ref('dst'), {
      progress: (event) => events.push(event),
    });
    const skipped = events.filter((e) => e.kind === 'blob-skipped');
    expect(skipped.map((e) => e.digest)).toEqual([image.layers[0]!.digest]);
    expect(skipped[0]!.reason).toBe('already exists');
  });

  it('fails on a corrupted blob and commits nothing', async () => {
    const from = newStore();
    const to = newStore();
    const image = buildImage(from, { layers: ['a', 'b'], name: 'src' });
    const bad = image.layers[1]!.digest;
    const source = createMemoryTransport(
      from,
      {},
      {
        corrupt: (digest) => (digest === bad ? gzipSync(encoder.encode('evil'.repeat(100))) : undefined),
      },
    );
    const error = await copyImage(source.ref('src'), createMemoryTransport(to).ref('dst')).catch((e) => e);
    expect(isSkopeoError(error, 'SIZE_MISMATCH') || isSkopeoError(error, 'DIGEST_MISMATCH')).toBe(true);
    expect(to.images.size).toBe(0);
    expect(to.blobs.size).toBe(0);
  });

  it('fails on same-size corruption with DIGEST_MISMATCH', async () => {
    const from = newStore();
    const to = newStore();
    const image = buildImage(from, { layers: ['a'], name: 'src' });
    const good = from.blobs.get(image.layers[0]!.digest)!;
    const flipped = Uint8Array.from(good);
    flipped[flipped.length - 5] = (flipped[flipped.length - 5]! + 1) % 256;
    const source = createMemoryTransport(
      from,
      {},
      { corrupt: (d) => (d === image.layers[0]!.digest ? flipped : undefined) },
    );
    const error = await copyImage(source.ref('src'), createMemoryTransport(to).ref('dst')).catch((e) => e);
    expect(isSkopeoError(error, 'DIGEST_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(image.layers[0]!.digest);
    expect(to.images.size).toBe(0);
  });

  it('compresses uncompressed layers for destinations that want compression, updating the manifest', async () => {
    const from = newStore();
    const to = newStore();
    const image = buildImage(from, { layers: ['a', 'b'], gzip: false, name: 'src' });
    const result = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(to, { desiredLayerCompression: 'compress' }).ref('dst'),
    );
    expect(result.digest).not.toBe(image.digest);
    const written = parseManifest(result.manifest);
    if (written.kind !== 'oci-manifest') throw new Error('expected an OCI manifest');
    written.manifest.layers.forEach((layer, i) => {
      expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      const stored = to.blobs.get(layer.digest)!;
      expect(digestOf(stored)).toBe(layer.digest);
      expect(stored.length).toBe(layer.size);
      expect(digestOf(gunzipSync(stored))).toBe(image.layers[i]!.digest);
    });
  });

  it('takes a compressed layer digest from the destination, and fails when it reports none', async () => {
    const from = newStore();
    const image = buildImage(from, { layers: ['a'], gzip: false, name: 'src' });
    const silent = createMemoryTransport(
      newStore(),
      { desiredLayerCompression: 'compress' },
      { reportPut: (written) => ({ ...written, digest: undefined as unknown as Digest }) },
    );
    const error = await copyImage(createMemoryTransport(from).ref('src'), silent.ref('dst')).catch(
      (caught: unknown) => caught,
    );
    expect(isSkopeoError(error, 'INTERNAL')).toBe(true);
    expect((error as Error).message).toContain(`stored blob ${image.layers[0]!.digest}`);
    expect((error as Error).message).toContain('did not report the digest and size');
  });

  it('decompresses for destinations that want uncompressed layers', async () => {
    const from = newStore();
    const to = newStore();
    buildImage(from, { layers: ['a'], name: 'src' });
    const result = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(to, { desiredLayerCompression: 'decompress' }).ref('dst'),
    );
    const written = parseManifest(result.manifest);
    if (written.kind !== 'oci-manifest') throw new Error('expected an OCI manifest');
    expect(written.manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(Buffer.from(to.blobs.get(written.manifest.layers[0]!.digest)!).toString()).toBe('a'.repeat(100));
  });

  it('keeps layers as they are when digests must be preserved', async () => {
    const from = newStore();
    const image = buildImage(from, { layers: ['a'], gzip: false, name: 'src' });
    const to = newStore();
    const result = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(to, { desiredLayerCompression: 'compress' }).ref('dst'),
      { preserveDigests: true },
    );
    expect(result.digest).toBe(image.digest);
    expect(Buffer.from(to.blobs.get(image.layers[0]!.digest)!)).toEqual(
      Buffer.from(from.blobs.get(image.layers[0]!.digest)!),
    );
  });

  it('converts Docker schema 2 to OCI for OCI-only destinations, and refuses it with --preserve-digests', async () => {
    const from = newStore();
    const image = buildImage(from, { layers: ['a'], docker: true, name: 'src' });
    const to = newStore();
    const dest = createMemoryTransport(to, {
      supportedManifestTypes: [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_OCI_INDEX],
    });
    const result = await copyImage(createMemoryTransport(from).ref('src'), dest.ref('dst'));
    expect(result.mediaType).toBe(MEDIA_TYPE_OCI_MANIFEST);
    const written = parseManifest(result.manifest);
    if (written.kind !== 'oci-manifest') throw new Error('expected an OCI manifest');
    expect(written.manifest.layers[0]!.digest).toBe(image.layers[0]!.digest);
    expect(written.manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');

    const refused = await copyImage(createMemoryTransport(from).ref('src'), dest.ref('dst2'), {
      preserveDigests: true,
    }).catch((e) => e);
    expect(isSkopeoError(refused, 'UNSUPPORTED')).toBe(true);
    expect((refused as Error).message).toContain('--preserve-digests');
    expect(to.images.has('dst2')).toBe(false);
  });

  it('picks one instance of a list by platform (system), all of them (all), or the index only', async () => {
    const from = newStore();
    const { index, images } = buildIndex(from, 'multi');
    const src = createMemoryTransport(from);

    const one = newStore();
    const picked = await copyImage(src.ref('multi'), createMemoryTransport(one).ref('dst'), {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(picked.digest).toBe(images.arm64!.digest);
    expect(one.blobs.has(images.amd64!.layers[0]!.digest)).toBe(false);

    const all = newStore();
    const copied = await copyImage(src.ref('multi'), createMemoryTransport(all).ref('dst'), {
      multiArch: 'all',
    });
    expect(copied.digest).toBe(digestOf(index));
    expect([...all.images.get('dst')!.instances.keys()].sort()).toEqual(
      [images.amd64!.digest, images.arm64!.digest].sort(),
    );

    const indexOnly = newStore();
    await copyImage(src.ref('multi'), createMemoryTransport(indexOnly).ref('dst'), {
      multiArch: 'index-only',
    });
    expect(indexOnly.images.get('dst')!.instances.size).toBe(0);
    expect(indexOnly.blobs.size).toBe(0);

    const noList = await copyImage(
      src.ref('multi'),
      createMemoryTransport(newStore(), { supportsManifestLists: false }).ref('dst'),
      { multiArch: 'all' },
    ).catch((e) => e);
    expect(isSkopeoError(noList, 'UNSUPPORTED')).toBe(true);

    const none = await copyImage(src.ref('multi'), createMemoryTransport(newStore()).ref('dst'), {
      platform: { os: 'linux', architecture: 's390x' },
    }).catch((e) => e);
    expect(isSkopeoError(none, 'NOT_FOUND')).toBe(true);
    expect((none as Error).message).toContain('s390x');
  });

  it('copies at most `concurrency` blobs at once', async () => {
    const from = newStore();
    buildImage(from, { layers: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], name: 'src' });
    let peak = 0;
    const source = createMemoryTransport(from, {}, { onConcurrency: (n) => (peak = Math.max(peak, n)) });
    await copyImage(source.ref('src'), createMemoryTransport(newStore()).ref('dst'), { concurrency: 2 });
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('stops on abort and commits nothing', async () => {
    const from = newStore();
    buildImage(from, { layers: ['a', 'b'], name: 'src' });
    const to = newStore();
    const controller = new AbortController();
    const error = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(to).ref('dst'),
      {
        signal: controller.signal,
        progress: (event) => {
          if (event.kind === 'blob-start') controller.abort();
        },
      },
    ).catch((e) => e);
    expect(isSkopeoError(error, 'ABORTED')).toBe(true);
    expect(to.images.size).toBe(0);
  });

  it('reports a gzip layer damaged mid-stream as corrupted, not as a zlib error', {
    timeout: 60_000,
  }, async () => {
    const from = newStore();
    const text = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('');
    const image = buildImage(from, { layers: [text], name: 'src' });
    const layer = image.layers[0]!;
    const damaged = Uint8Array.from(from.blobs.get(layer.digest)!);
    const middle = Math.floor(damaged.length / 2);
    damaged[middle] = (damaged[middle] ?? 0) ^ 0xff;
    const source = createMemoryTransport(
      from,
      {},
      { corrupt: (d) => (d === layer.digest ? damaged : undefined) },
    );
    const to = newStore();
    const error = await copyImage(
      source.ref('src'),
      createMemoryTransport(to, { desiredLayerCompression: 'decompress' }).ref('dst'),
    ).catch((e) => e);
    expect(isSkopeoError(error, 'CORRUPT') || isSkopeoError(error, 'DIGEST_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(layer.digest);
    expect(to.images.size).toBe(0);
  });

  it('refuses a destination named by another digest', async () => {
    const from = newStore();
    buildImage(from, { layers: ['a'], name: 'src' });
    const other = `sha256:${'0'.repeat(64)}` as Digest;
    const error = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(newStore(), { mustMatchDigest: other }).ref('dst'),
    ).catch((e) => e);
    expect(isSkopeoError(error, 'DIGEST_MISMATCH')).toBe(true);
  });

  it('computes manifest digests the same way the result reports them', async () => {
    const from = newStore();
    buildImage(from, { layers: ['a'], gzip: false, name: 'src' });
    const to = newStore();
    const result = await copyImage(
      createMemoryTransport(from).ref('src'),
      createMemoryTransport(to, { desiredLayerCompression: 'compress' }).ref('dst'),
    );
    expect(result.digest).toBe(manifestDigest(to.images.get('dst')!.manifest.bytes));
  });
  describe('when the destination already has the manifest', () => {
    type Method = 'getBlob' | 'putBlob' | 'tryReusingBlob' | 'hasManifest';
    const counting = () => {
      const calls: Method[] = [];
      return { calls, hooks: { onCall: (method: Method) => calls.push(method) } };
    };

    it('skips every blob, reports them as already there, and still writes the tag', async () => {
      const from = newStore();
      const to = newStore();
      const image = buildImage(from, { layers: ['a', 'b', 'a'], name: 'src' });
      const first = counting();
      await copyImage(
        createMemoryTransport(from, {}, first.hooks).ref('src'),
        createMemoryTransport(
          to,
          { hasManifest: true, desiredLayerCompression: 'compress' },
          first.hooks,
        ).ref('v1'),
      );
      expect(first.calls).toContain('hasManifest');
      expect(first.calls).toContain('putBlob');

      const second = counting();
      const events: ProgressEvent[] = [];
      const result = await copyImage(
        createMemoryTransport(from, {}, second.hooks).ref('src'),
        createMemoryTransport(
          to,
          { hasManifest: true, desiredLayerCompression: 'compress' },
          second.hooks,
        ).ref('v2'),
        { progress: (event) => events.push(event) },
      );
      expect(second.calls).toEqual(['hasManifest']);
      expect(result.digest).toBe(image.digest);
      expect(Buffer.from(to.images.get('v2')!.manifest.bytes)).toEqual(Buffer.from(image.manifest));
      const skipped = events.filter((e) => e.kind === 'blob-skipped');
      expect(skipped).toHaveLength(3);
      expect(skipped.every((e) => e.reason === 'already exists')).toBe(true);
      expect(skipped.filter((e) => e.isConfig)).toHaveLength(1);
      expect(events.some((e) => e.kind === 'blob-start')).toBe(false);
      expect(events.filter((e) => e.kind === 'manifest')).toHaveLength(1);
    });

    it('copies blobs as usual when the destination does not have the manifest', async () => {
      const from = newStore();
      const to = newStore();
      buildImage(from, { layers: ['a'], name: 'src' });
      const calls = counting();
      await copyImage(
        createMemoryTransport(from, {}, calls.hooks).ref('src'),
        createMemoryTransport(to, { hasManifest: true }, calls.hooks).ref('dst'),
      );
      expect(calls.calls.filter((c) => c === 'getBlob')).toHaveLength(2);
      expect(to.images.has('dst')).toBe(true);
    });

    it('does not skip when the manifest would change (layers to compress)', async () => {
      const from = newStore();
      const to = newStore();
      const image = buildImage(from, { layers: ['a', 'b'], gzip: false, name: 'src' });
      // The destination has the uncompressed image's manifest (its blobs do not matter here).
      to.images.set('plain', from.images.get('src')!);

      const calls = counting();
      const result = await copyImage(
        createMemoryTransport(from, {}, calls.hooks).ref('src'),
        createMemoryTransport(
          to,
          { hasManifest: true, desiredLayerCompression: 'compress' },
          calls.hooks,
        ).ref('compressed'),
      );
      expect(calls.calls).not.toContain('hasManifest');
      expect(calls.calls).toContain('getBlob');
      expect(result.digest).not.toBe(image.digest);
      const written = parseManifest(to.images.get('compressed')!.manifest.bytes);
      if (written.kind !== 'oci-manifest') throw new Error('expected an OCI manifest');
      expect(written.manifest.layers.map((l) => l.mediaType)).toEqual([
        'application/vnd.oci.image.layer.v1.tar+gzip',
        'application/vnd.oci.image.layer.v1.tar+gzip',
      ]);
    });

    it('skips the blobs of every list member the destination has (--all)', async () => {
      const from = newStore();
      const { index } = buildIndex(from, 'multi');
      const to = newStore();
      await copyImage(
        createMemoryTransport(from).ref('multi'),
        createMemoryTransport(to, { hasManifest: true }).ref('v1'),
        { multiArch: 'all' },
      );
      const calls = counting();
      const result = await copyImage(
        createMemoryTransport(from, {}, calls.hooks).ref('multi'),
        createMemoryTransport(to, { hasManifest: true }, calls.hooks).ref('v2'),
        { multiArch: 'all' },
      );
      expect(calls.calls).toEqual(['hasManifest', 'hasManifest']);
      expect(result.digest).toBe(digestOf(index));
      expect(to.images.get('v2')!.instances.size).toBe(2);
    });
  });
});

describe('per-blob retries (retry option)', () => {
  const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

  it('copies one broken blob again on its own, and the others once', async () => {
    const from = newStore();
    const to = newStore();
    const image = buildImage(from, { layers: ['a', 'b', 'c'], name: 'src' });
    const flaky = image.layers[1]!.digest;
    let breaks = 2;
    const reads = new Map<string, number>();
    const source = createMemoryTransport(
      from,
      {},
      {
        breakRead: (digest) => {
          reads.set(digest, (reads.get(digest) ?? 0) + 1);
          return digest === flaky && breaks-- > 0 ? reset() : undefined;
        },
      },
    );
    const events: ProgressEvent[] = [];
    const result = await copyImage(source.ref('src'), createMemoryTransport(to).ref('dst'), {
      retry: { times: 2, delayMs: 1 },
      progress: (event) => events.push(event),
    });
    expect(result.digest).toBe(image.digest);
    expect(reads.get(flaky)).toBe(3);
    expect(reads.get(image.layers[0]!.digest)).toBe(1);
    expect(reads.get(image.layers[2]!.digest)).toBe(1);
    expect(to.blobs.get(flaky)).toEqual(from.blobs.get(flaky));
    const retries = events.filter((e) => e.kind === 'message' && e.message?.includes('retrying'));
    expect(retries).toHaveLength(2);
    expect(retries[0]!.message).toContain(flaky);
  });

  it('fails when the retries run out, marking the error so no outer loop starts over', async () => {
    const from = newStore();
    const to = newStore();
    const image = buildImage(from, { layers: ['a', 'b'], name: 'src' });
    const flaky = image.layers[0]!.digest;
    const source = createMemoryTransport(
      from,
      {},
      { breakRead: (digest) => (digest === flaky ? reset() : undefined) },
    );
    const error = await copyImage(source.ref('src'), createMemoryTransport(to).ref('dst'), {
      retry: { times: 1, delayMs: 1 },
    }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ECONNRESET');
    expect(isRetryableError(error)).toBe(false);
    expect(to.images.size).toBe(0);
  });

  it('does not retry what another attempt cannot fix, nor without the option', async () => {
    const from = newStore();
    const image = buildImage(from, { layers: ['a'], name: 'src' });
    let reads = 0;
    const corrupt = createMemoryTransport(
      from,
      {},
      {
        corrupt: (digest) => {
          if (digest !== image.layers[0]!.digest) return undefined;
          reads++;
          return gzipSync(encoder.encode('evil'.repeat(100)));
        },
      },
    );
    const mismatch = await copyImage(corrupt.ref('src'), createMemoryTransport(newStore()).ref('dst'), {
      retry: { times: 3, delayMs: 1 },
    }).catch((e: unknown) => e);
    expect(isSkopeoError(mismatch)).toBe(true);
    expect(reads).toBe(1);

    const broken = createMemoryTransport(from, {}, { breakRead: () => reset() });
    const plain = await copyImage(broken.ref('src'), createMemoryTransport(newStore()).ref('dst')).catch(
      (e: unknown) => e,
    );
    expect((plain as { code?: string }).code).toBe('ECONNRESET');
    expect(isRetryableError(plain)).toBe(true);
  });
});
