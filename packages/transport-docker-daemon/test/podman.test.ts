// docker-daemon: against podman's Docker-compatible API service (one per file).
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, startPodmanService } from '@skopeo-ts/testkit';
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
const { ctx, engine } = useEngine(() => startPodmanService());

describe('docker-daemon: with podman system service', () => {
  it('oci → podman → oci keeps the config and the layer DiffIDs, and podman lists the image by its tag', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), fixtures.multiLayer());
    const name = `${uniqueName('round-trip')}:v1`;
    await copyImage(oci(`${image.layoutDir}:latest`), daemon(name), { destinationContext: ctx });

    const inspected = await engine().client.inspectImage(name);
    expect(inspected?.Id).toBe(image.configDigest);
    expect(inspected?.RootFS.Layers).toEqual(image.diffIds);
    const listed = await engine().client.listImages();
    expect(listed.some((entry) => entry.RepoTags?.includes(name))).toBe(true);

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

  it('a missing image is NOT_FOUND', async () => {
    const error = await expectSkopeoError(
      daemon('localhost/skopeo-ts-no-such-image:v1').newSource(ctx),
      'NOT_FOUND',
    );
    expect(error.message).toContain(ctx.daemonHost);
    await expectSkopeoError(daemon(`sha256:${'0'.repeat(64)}`).newSource(ctx), 'NOT_FOUND');
  });
});

runDaemonConformance(ctx, 'podman');
