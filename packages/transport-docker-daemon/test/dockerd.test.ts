// docker-daemon: against a real dockerd 20.10 (one per file): copies in and out, names, IDs,
// digests, what the engine shows, missing images, and the shared conformance suite.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage, MEDIA_TYPE_DOCKER_V2S2_MANIFEST } from '@skopeo-ts/core';
import { buildOciImage, fixtures, startDockerd } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { runDaemonConformance } from './conformance.js';
import {
  daemon,
  expectSkopeoError,
  oci,
  ociConfigOf,
  uniqueName,
  useEngine,
  useTempDirs,
} from './helpers.js';

const tempDir = useTempDirs();
const { ctx, engine } = useEngine(() => startDockerd());

describe('docker-daemon: with dockerd 20.10', () => {
  it('oci → daemon → oci keeps the config and the layer DiffIDs, and the engine lists the image by its tag', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), fixtures.multiLayer());
    const name = `${uniqueName('round-trip')}:v1`;
    const messages: string[] = [];
    await copyImage(oci(`${image.layoutDir}:latest`), daemon(name), {
      destinationContext: {
        ...ctx,
        progress: (event) => event.kind === 'message' && messages.push(event.message ?? ''),
      },
    });
    expect(messages.join('\n')).toContain(`Loaded image: ${name}`);

    const inspected = await engine().client.inspectImage(name);
    expect(inspected?.Id).toBe(image.configDigest);
    expect(inspected?.RootFS.Layers).toEqual(image.diffIds);
    const listed = await engine().client.listImages();
    expect(listed.find((entry) => entry.RepoTags?.includes(name))?.Id).toBe(image.configDigest);

    for (const [label, reference] of [
      ['by name', name],
      ['by ID', image.configDigest],
    ] as const) {
      const back = join(scratch, `back-${label.replace(' ', '-')}`);
      const result = await copyImage(daemon(reference), oci(`${back}:v1`), { sourceContext: ctx });
      const config = await ociConfigOf(back, result.digest);
      expect(config.bytes.equals(image.configBytes), `${label}: the config keeps its bytes`).toBe(true);
      expect(config.json.rootfs.diff_ids, label).toEqual(image.diffIds);
    }
  });

  it('reads an image by NAME@DIGEST (a digest the engine knows from RepoDigests)', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), fixtures.single());
    const name = `${uniqueName('digest')}:v1`;
    await copyImage(oci(`${image.layoutDir}:latest`), daemon(name), { destinationContext: ctx });
    // An image loaded from an archive has no repository digest; a missing one is NOT_FOUND.
    const repo = name.slice(0, name.lastIndexOf(':'));
    await expectSkopeoError(
      copyImage(daemon(`${repo}@${image.manifestDigest}`), oci(`${scratch}/back:v1`), { sourceContext: ctx }),
      'NOT_FOUND',
    );
  });

  it('negotiates the API version from /_ping, takes DOCKER_HOST, and removes its temp file on close', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), fixtures.single());
    const name = `${uniqueName('env')}:v1`;
    const debug: string[] = [];
    const envCtx = {
      env: { DOCKER_HOST: ctx.daemonHost },
      tmpDir: join(scratch, 'tmp'),
      debug: (message: string) => debug.push(message),
    };
    await mkdir(envCtx.tmpDir);
    await copyImage(oci(`${image.layoutDir}:latest`), daemon(name), { destinationContext: envCtx });
    expect(debug).toContain(`docker-daemon: ${ctx.daemonHost} speaks engine API 1.41`);
    const source = await daemon(name).newSource(envCtx);
    try {
      expect(await readdir(envCtx.tmpDir)).toHaveLength(1);
      expect((await source.getManifest()).mediaType).toBe(MEDIA_TYPE_DOCKER_V2S2_MANIFEST);
    } finally {
      await source.close();
    }
    expect(await readdir(envCtx.tmpDir)).toEqual([]);
  });

  it('a missing image is NOT_FOUND, naming the image and the host', async () => {
    const error = await expectSkopeoError(
      daemon('localhost/skopeo-ts-no-such-image:v1').newSource(ctx),
      'NOT_FOUND',
    );
    expect(error.message).toContain('localhost/skopeo-ts-no-such-image:v1');
    expect(error.message).toContain(ctx.daemonHost);
    await expectSkopeoError(daemon(`sha256:${'0'.repeat(64)}`).newSource(ctx), 'NOT_FOUND');
  });

  it('stores Docker schema 2 with the source layers as they are (the engine decompresses them)', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), fixtures.single());
    const destination = await daemon(`${uniqueName('caps')}:v1`).newDestination(ctx);
    try {
      expect(destination.supportedManifestTypes).toEqual([MEDIA_TYPE_DOCKER_V2S2_MANIFEST]);
      expect(destination.desiredLayerCompression).toBe('preserve');
      expect(destination.supportsManifestLists).toBe(false);
    } finally {
      await destination.close();
    }
    expect(image.layers.length).toBe(1);
  });

  it('an 80 MB image goes in and out at disk speed, not at a crawl', async () => {
    // Guards the save path: undici's body piped into an fs.WriteStream crawled at ~1 MB/s
    // (90 s for this image); written chunk by chunk it takes a few seconds.
    const scratch = await tempDir();
    const spec = fixtures.single();
    const big = {
      ...spec,
      layers: [
        {
          compression: 'none' as const,
          entries: [{ type: 'file' as const, path: 'big.bin', size: 80 << 20 }],
        },
      ],
    };
    const image = await buildOciImage(join(scratch, 'source'), big);
    const name = `${uniqueName('big')}:v1`;
    const started = Date.now();
    await copyImage(oci(`${image.layoutDir}:latest`), daemon(name), { destinationContext: ctx });
    const result = await copyImage(daemon(name), oci(`${scratch}/back:v1`), { sourceContext: ctx });
    const seconds = (Date.now() - started) / 1000;
    expect((await ociConfigOf(`${scratch}/back`, result.digest)).json.rootfs.diff_ids).toEqual(image.diffIds);
    expect(seconds, 'seconds for 80 MB into the engine and back (a few on an idle machine)').toBeLessThan(60);
  });

  it('a copy aborted midway loads nothing into the engine', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), fixtures.multiLayer());
    const name = `${uniqueName('aborted')}:v1`;
    const before = (await engine().client.listImages()).length;
    const controller = new AbortController();
    const copying = copyImage(oci(`${image.layoutDir}:latest`), daemon(name), {
      destinationContext: { ...ctx, signal: controller.signal },
      signal: controller.signal,
      progress: (event) => {
        if (event.kind === 'blob-progress' || event.kind === 'blob-done') controller.abort();
      },
    });
    await expect(copying).rejects.toThrow();
    // Give the engine a moment: it must not finish a load from the cut request.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await engine().client.inspectImage(name)).toBeUndefined();
    expect((await engine().client.listImages()).length).toBe(before);
  });
});

// The shared suite, in the default mode and with layerCompression 'decompress' (test/conformance.ts).
runDaemonConformance(ctx, 'dockerd');
