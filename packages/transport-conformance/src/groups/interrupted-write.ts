// A write that does not finish must leave nothing behind: not after close() without commit, not
// after a copy aborted while a layer is half sent. An image that was there before stays whole.
import { Readable } from 'node:stream';
import { describe, it } from 'vitest';
import { type ImageReference, MemoryBlobInfoCache } from '@skopeo-ts/core';
import { expectSameImage } from '../expect-image.js';
import { testImage, uniqueImage } from '../images/catalog.js';
import { withFaults } from '../faults.js';
import { expectAbortError, rejectionOf } from '../support/errors.js';
import { withDeadline } from '../support/deadline.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

/** How long a copy may take to reach the stalled blob, and then to stop once aborted. */
const STALL_DEADLINE_MS = 10_000;

export function interruptedWriteTests(suite: SuiteContext): void {
  const { target } = suite;
  const timeout = target.timeoutMs;

  /** Copies a fresh image to `destination`, aborting while its middle layer is half sent. */
  async function abortMidBlob(destination: ImageReference): Promise<void> {
    const image = await uniqueImage(suite.keptFormat(), ['gzip', 'none', 'gzip']);
    const layer = image.layers[1];
    if (layer === undefined) throw new Error('the unique image has no middle layer');
    let reachedStall!: () => void;
    const stalled = new Promise<void>((resolve) => {
      reachedStall = resolve;
    });
    const source = withFaults(suite.fromMemory(image), {
      blobs: new Map([[layer.digest, { stallAfter: Math.floor(layer.size / 2) }]]),
      onStall: () => reachedStall(),
    });
    const controller = new AbortController();
    const copying = suite.copy(source, destination, { signal: controller.signal });
    copying.catch(() => {}); // judged below; not an unhandled rejection meanwhile
    await withDeadline(
      Promise.race([
        stalled,
        copying.then(() => {
          throw new Error('the copy finished without reading the stalled layer');
        }),
      ]),
      STALL_DEADLINE_MS,
      'the copy reaching the middle of a layer',
    );
    controller.abort();
    const error = await withDeadline(
      rejectionOf(copying, 'the aborted copy'),
      STALL_DEADLINE_MS,
      'the aborted copy stopping',
    );
    expectAbortError(error, controller.signal, 'a copy aborted mid-blob');
  }

  describe('interrupted writes', () => {
    it(
      'a destination closed without commit leaves no image',
      async () => {
        const image = await suite.keptImage();
        const reference = await target.location(await scratchDirectory(), 'image');
        const destination = await reference.newDestination(target.context);
        try {
          const cache = new MemoryBlobInfoCache();
          for (const [index, layer] of image.layers.entries()) {
            await destination.putBlob(
              Readable.from([Buffer.from(layer.bytes)], { objectMode: false }),
              { digest: layer.digest, size: layer.size, mediaType: layer.mediaType },
              { isConfig: false, layerIndex: index, cache },
            );
          }
          await destination.putBlob(
            Readable.from([Buffer.from(image.config.bytes)], { objectMode: false }),
            { digest: image.config.digest, size: image.config.size, mediaType: image.config.mediaType },
            { isConfig: true, cache },
          );
          await destination.putManifest(image.manifest.bytes, { mediaType: image.manifest.mediaType });
        } finally {
          await destination.close();
        }
        await suite.expectNoImage(reference, 'its destination was closed without commit');
      },
      timeout,
    );

    it(
      'a copy aborted mid-blob leaves no image',
      async () => {
        const destination = await target.location(await scratchDirectory(), 'image');
        await abortMidBlob(destination);
        await suite.expectNoImage(destination, 'the only copy there was aborted');
      },
      timeout,
    );

    if (target.capabilities.existingImage === 'replace') {
      it(
        'a copy aborted mid-blob leaves the image it would replace, and its siblings, whole',
        async () => {
          const scratch = await scratchDirectory();
          const destination = await target.location(scratch, 'image');
          const sibling = await target.location(scratch, 'sibling');
          await suite.copy(suite.fromMemory(await testImage('oci-single-layer')), destination);
          await suite.copy(suite.fromMemory(await testImage('docker-schema2')), sibling);
          const before = await suite.read(destination);
          const siblingBefore = await suite.read(sibling);
          await abortMidBlob(destination);
          expectSameImage(await suite.read(destination), before, `${destination} after the aborted copy`);
          expectSameImage(await suite.read(sibling), siblingBefore, `${sibling} after the aborted copy`);
        },
        timeout,
      );
    } else {
      // Nothing is ever written over an image here (the round trip checks that refusal), so
      // the image an aborted copy must not damage is its sibling.
      it(
        'a copy aborted mid-blob beside an existing image leaves no image, and the sibling whole',
        async () => {
          const scratch = await scratchDirectory();
          const destination = await target.location(scratch, 'image');
          const sibling = await target.location(scratch, 'sibling');
          await suite.copy(suite.fromMemory(await testImage('docker-schema2')), sibling);
          const siblingBefore = await suite.read(sibling);
          await abortMidBlob(destination);
          await suite.expectNoImage(destination, 'the only copy there was aborted');
          expectSameImage(await suite.read(sibling), siblingBefore, `${sibling} after the aborted copy`);
        },
        timeout,
      );
    }
  });
}
