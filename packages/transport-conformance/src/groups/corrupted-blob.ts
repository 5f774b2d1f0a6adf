// A source blob whose bytes do not match its digest must fail the copy with DIGEST_MISMATCH and
// leave nothing committed; in particular the bad bytes must not be kept under the good digest,
// where a later copy would reuse them.
import { describe, it } from 'vitest';
import type { Digest } from '@skopeo-ts/core';
import { expectSameImage } from '../expect-image.js';
import { testImage, uniqueImage } from '../images/catalog.js';
import { firstFileContentOffset } from '../images/tar.js';
import type { TestSingleImage } from '../images/types.js';
import { changeByteAt, withFaults } from '../faults.js';
import { expectRejection } from '../support/errors.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

interface Damage {
  digest: Digest;
  offset: number;
}

/** Byte 4 of a gzip stream is in its MTIME field: the stream still decompresses to the same tar. */
const GZIP_MTIME_OFFSET = 4;

const CASES: ReadonlyArray<{ what: string; damage: (image: TestSingleImage) => Damage }> = [
  {
    what: 'gzip layer',
    damage: (image) => ({ digest: (image.layers[0] ?? fail()).digest, offset: GZIP_MTIME_OFFSET }),
  },
  {
    what: 'uncompressed layer',
    damage: (image) => {
      const layer = image.layers[1] ?? fail();
      // Inside a file's content: a tar parser at the destination has nothing to object to.
      return { digest: layer.digest, offset: firstFileContentOffset(layer.tar) ?? fail() };
    },
  },
  { what: 'config', damage: (image) => ({ digest: image.config.digest, offset: 2 }) },
];

function fail(): never {
  throw new Error('the unique image does not have the expected shape');
}

export function corruptedBlobTests(suite: SuiteContext): void {
  const { target } = suite;
  const timeout = target.timeoutMs;

  describe('corrupted blobs', () => {
    for (const { what, damage } of CASES) {
      it(
        `a corrupted ${what} fails the copy with DIGEST_MISMATCH and commits nothing`,
        async () => {
          const image = await uniqueImage(suite.keptFormat(), ['gzip', 'none']);
          const { digest, offset } = damage(image);
          const corrupted = () =>
            withFaults(suite.fromMemory(image), {
              blobs: new Map([[digest, { corrupt: changeByteAt(offset) }]]),
            });
          const scratch = await scratchDirectory();

          const fresh = await target.location(scratch, 'fresh');
          await expectRejection(
            suite.copy(corrupted(), fresh),
            'DIGEST_MISMATCH',
            `copying a corrupted ${what}`,
          );
          await suite.expectNoImage(fresh, `the only copy there had a corrupted ${what}`);

          const existing = await target.location(scratch, 'existing');
          await suite.copy(suite.fromMemory(await testImage('oci-single-layer')), existing);
          const before = await suite.read(existing);
          if (target.capabilities.existingImage === 'replace') {
            // Again over an existing image: after the first failure, a transport that kept the
            // bad bytes would now reuse them and commit.
            await expectRejection(
              suite.copy(corrupted(), existing),
              'DIGEST_MISMATCH',
              `copying a corrupted ${what} over an image`,
            );
          } else {
            // The target refuses to write over an image: again into a fresh reference beside
            // one, where a transport that kept the bad bytes would now reuse them and commit.
            const again = await target.location(scratch, 'again');
            await expectRejection(
              suite.copy(corrupted(), again),
              'DIGEST_MISMATCH',
              `copying a corrupted ${what} a second time, beside an image`,
            );
            await suite.expectNoImage(again, `the copy there had a corrupted ${what}`);
          }
          expectSameImage(await suite.read(existing), before, `${existing} after the failed copy`);

          // The good image still copies: nothing bad was left where it would be reused.
          await suite.copy(suite.fromMemory(image), fresh);
          await suite.read(fresh);
        },
        timeout,
      );
    }
  });
}
