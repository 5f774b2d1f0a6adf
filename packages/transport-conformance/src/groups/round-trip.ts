// Every test image goes memory → target → memory. The target must store what its policy says
// (the same bytes when it keeps the type and compression), report the digest it stored, and
// give back exactly what it stored.
import { describe, expect, it } from 'vitest';
import { formatPlatform, type ImageReference } from '@skopeo-ts/core';
import { expectSameImage, expectStored, expectWrittenImage } from '../expect-image.js';
import { TEST_IMAGE_NAMES, TEST_PLATFORMS, testImage } from '../images/catalog.js';
import type { TestImage, TestSingleImage } from '../images/types.js';
import { expectRejection } from '../support/errors.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

const LIST_IMAGES = ['oci-multi-arch', 'docker-multi-arch'] as const;
const SINGLE_IMAGES = TEST_IMAGE_NAMES.filter((name) => !(LIST_IMAGES as readonly string[]).includes(name));

export function roundTripTests(suite: SuiteContext): void {
  const { target } = suite;
  const timeout = target.timeoutMs;

  /** Copies `image` to `destination`, checks what is stored there and that it comes back whole. */
  async function roundTrip(
    image: TestImage,
    expected: TestImage,
    destination: ImageReference,
    options: Parameters<SuiteContext['copy']>[2],
  ): Promise<void> {
    const what = `${expected.name} at ${destination}`;
    const result = await suite.copy(suite.fromMemory(image), destination, options);
    const stored = await suite.read(destination);
    expectStored(stored, expected, target.policy, what);
    expectWrittenImage(result, stored, target.policy, what);
    const back = suite.memoryLocation();
    await suite.copy(destination, back, { multiArch: 'all' });
    expectSameImage(await suite.read(back), stored, `${what}, copied back out`);
  }

  describe('round trip', () => {
    for (const name of SINGLE_IMAGES) {
      it(
        `${name}: memory → ${target.name} → memory keeps the image`,
        async () => {
          const image = await testImage(name);
          const destination = await target.location(await scratchDirectory(), 'image');
          await roundTrip(image, image, destination, {});
        },
        timeout,
      );
    }

    for (const name of LIST_IMAGES) {
      if (target.capabilities.manifestLists) {
        it(
          `${name}: multiArch 'all' keeps the list and every image in it`,
          async () => {
            const image = await testImage(name);
            const destination = await target.location(await scratchDirectory(), 'image');
            await roundTrip(image, image, destination, { multiArch: 'all' });
          },
          timeout,
        );
      } else {
        it(
          `${name}: multiArch 'all' fails with UNSUPPORTED and stores nothing`,
          async () => {
            const image = await testImage(name);
            const destination = await target.location(await scratchDirectory(), 'image');
            await expectRejection(
              suite.copy(suite.fromMemory(image), destination, { multiArch: 'all' }),
              'UNSUPPORTED',
              'copying a list to a destination without lists',
            );
            await suite.expectNoImage(destination, 'the only copy there was refused');
          },
          timeout,
        );
      }

      TEST_PLATFORMS.forEach((platform, index) => {
        it(
          `${name}: multiArch 'system' with platform ${formatPlatform(platform)} stores that image`,
          async () => {
            const image = await testImage(name);
            if (image.kind !== 'index') throw new Error(`${name} is not a list`);
            const instance = image.instances[index] as TestSingleImage;
            const destination = await target.location(await scratchDirectory(), 'image');
            await roundTrip(image, instance, destination, { multiArch: 'system', platform });
          },
          timeout,
        );
      });
    }

    if (target.capabilities.existingImage === 'replace') {
      it(
        'copying onto an existing image replaces it',
        async () => {
          const first = await testImage('oci-single-layer');
          const second = await testImage('oci-multi-layer');
          const destination = await target.location(await scratchDirectory(), 'image');
          await suite.copy(suite.fromMemory(first), destination);
          await suite.copy(suite.fromMemory(second), destination);
          expectStored(
            await suite.read(destination),
            second,
            target.policy,
            `${destination} after the second copy`,
          );
        },
        timeout,
      );
    } else {
      it(
        'copying onto an existing image fails with CONFLICT and leaves the image whole',
        async () => {
          const first = await testImage('oci-single-layer');
          const second = await testImage('oci-multi-layer');
          const destination = await target.location(await scratchDirectory(), 'image');
          await suite.copy(suite.fromMemory(first), destination);
          const before = await suite.read(destination);
          const error = await expectRejection(
            suite.copy(suite.fromMemory(second), destination),
            'CONFLICT',
            `copying onto the image at ${destination}`,
          );
          expect(
            error.message.includes(destination.withinTransport) || error.message.includes(`${destination}`),
            `the CONFLICT error must name ${destination}: ${error.message}`,
          ).toBe(true);
          expectSameImage(await suite.read(destination), before, `${destination} after the refused copy`);
          expectStored(before, first, target.policy, `${destination}`);
        },
        timeout,
      );
    }

    it(
      'images at sibling references are kept apart',
      async () => {
        const first = await testImage('oci-single-layer');
        const second = await testImage('docker-schema2');
        const scratch = await scratchDirectory();
        const a = await target.location(scratch, 'first');
        const b = await target.location(scratch, 'second');
        await suite.copy(suite.fromMemory(first), a);
        await suite.copy(suite.fromMemory(second), b);
        expectStored(await suite.read(a), first, target.policy, `${a}`);
        expectStored(await suite.read(b), second, target.policy, `${b}`);
      },
      timeout,
    );
  });
}
