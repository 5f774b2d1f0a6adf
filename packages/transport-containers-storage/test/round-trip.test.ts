// What we write into a store, podman lists and mounts and skopeo copies out with the same layer
// digests (the DiffIDs); what we read back has them too. For vfs, kernel overlay and overlay
// with fuse-overlayfs.
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, skopeoInspect, skopeoCopy } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { DRIVER_SETUPS, oci, podman, useTempDirs } from './helpers.js';

const temp = useTempDirs();

interface ManifestJson {
  layers: { digest: string; mediaType: string }[];
}

describe.each(DRIVER_SETUPS)('round trip through a %s store', (setup) => {
  it('podman lists what we wrote; skopeo and we copy it out with the DiffIDs as layer digests', async () => {
    const scratch = await temp.dir();
    const image = await buildOciImage(`${scratch}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    const store = await temp.store(setup);
    await copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/demo:v1'));

    const listed = JSON.parse(await podman(store, ['images', '--format', 'json'])) as {
      Id: string;
      Names?: string[];
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]?.Id).toBe(image.configDigest.replace('sha256:', ''));
    expect(listed[0]?.Names).toEqual(['localhost/demo:v1']);

    await skopeoCopy(store.text('localhost/demo:v1'), `oci:${scratch}/skopeo-out:x`, [
      '--dest-oci-accept-uncompressed-layers',
    ]);
    const theirs = await skopeoInspect(`oci:${scratch}/skopeo-out:x`, { raw: true });
    const theirLayers = (JSON.parse(theirs.bytes.toString('utf8')) as ManifestJson).layers.map(
      (l) => l.digest,
    );
    expect(theirLayers).toEqual(image.diffIds);

    const ours = await copyImage(store.ref('localhost/demo:v1'), oci(`${scratch}/ours:y`), {
      destinationContext: { ociAcceptUncompressedLayers: true },
    });
    const ourLayers = (JSON.parse(Buffer.from(ours.manifest).toString('utf8')) as ManifestJson).layers;
    expect(ourLayers.map((l) => l.digest)).toEqual(image.diffIds);
  });
});
