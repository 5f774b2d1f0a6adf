// The memory transport and the fault injection that the suite relies on, checked directly.
import { describe, expect, it } from 'vitest';
import { copyImage, isSkopeoError } from '@skopeo-ts/core';
import {
  changeByteAt,
  createMemoryTransport,
  loadTestImage,
  readImage,
  testImage,
  uniqueImage,
  withFaults,
} from '../src/index.js';

describe('memory transport', () => {
  it('refuses malformed names with INVALID_REFERENCE', () => {
    const { transport } = createMemoryTransport();
    expect(() => transport.parseReference('a b')).toThrow(/a b/);
    expect(transport.parseReference('a/b.c_d-e').toString()).toBe('memory:a/b.c_d-e');
  });

  it("with concurrentWrites 'conflict' refuses a second destination on one name until the first closes", async () => {
    const memory = createMemoryTransport({ concurrentWrites: 'conflict' });
    const reference = memory.reference('image');
    const first = await reference.newDestination({});
    const second = reference.newDestination({});
    await expect(second).rejects.toSatisfy((error) => isSkopeoError(error, 'CONFLICT'));
    await first.close();
    await (await reference.newDestination({})).close();
  });

  it('refuses to commit a manifest whose blobs were never written', async () => {
    const image = await testImage('oci-single-layer');
    const destination = await createMemoryTransport().reference('image').newDestination({});
    await destination.putManifest(image.manifest.bytes, { mediaType: image.manifest.mediaType });
    await expect(destination.commit()).rejects.toSatisfy((error) => isSkopeoError(error, 'INVALID_MANIFEST'));
    await destination.close();
  });
});

describe('faults', () => {
  it('a corrupted blob reads with other bytes of the same length', async () => {
    const image = await uniqueImage('oci', ['none']);
    const layer = image.layers[0];
    if (layer === undefined) throw new Error('no layer');
    const memory = createMemoryTransport();
    loadTestImage(memory.store, 'image', image);
    const faulty = withFaults(memory.reference('image'), {
      blobs: new Map([[layer.digest, { corrupt: changeByteAt(600) }]]),
    });
    await expect(readImage(faulty)).rejects.toThrow(/digest/);
    await expect(readImage(memory.reference('image'))).resolves.toMatchObject({
      digest: image.manifest.digest,
    });
  });

  it('a stalled blob stops a copy until it is aborted', async () => {
    const image = await uniqueImage('oci', ['gzip', 'gzip']);
    const layer = image.layers[1];
    if (layer === undefined) throw new Error('no layer');
    const source = createMemoryTransport();
    loadTestImage(source.store, 'image', image);
    const controller = new AbortController();
    let stalled = false;
    const faulty = withFaults(source.reference('image'), {
      blobs: new Map([[layer.digest, { stallAfter: 100 }]]),
      onStall: () => {
        stalled = true;
        setTimeout(() => controller.abort(), 20);
      },
    });
    const destination = createMemoryTransport().reference('image');
    await expect(copyImage(faulty, destination, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(stalled).toBe(true);
  });
});
