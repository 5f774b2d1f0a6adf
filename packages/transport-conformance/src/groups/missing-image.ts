// A reference that names no image must say so with NOT_FOUND (the CLI's exit code 2), whether
// the location is missing altogether or holds other images.
import { describe, it } from 'vitest';
import { testImage } from '../images/catalog.js';
import { expectRejection } from '../support/errors.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

export function missingImageTests(suite: SuiteContext): void {
  const { target } = suite;
  const timeout = target.timeoutMs;

  describe('missing images', () => {
    it(
      'opening a missing image fails with NOT_FOUND',
      async () => {
        const missing = await target.missingImage(await scratchDirectory());
        await suite.expectNoImage(missing, 'the target says this reference names no image');
      },
      timeout,
    );

    it(
      'copying from a missing image fails with NOT_FOUND',
      async () => {
        const missing = await target.missingImage(await scratchDirectory());
        await expectRejection(
          suite.copy(missing, suite.memoryLocation()),
          'NOT_FOUND',
          `copying from ${missing}`,
        );
      },
      timeout,
    );

    it(
      'a sibling reference of an existing image is not found',
      async () => {
        const scratch = await scratchDirectory();
        const present = await target.location(scratch, 'present');
        await suite.copy(suite.fromMemory(await testImage('oci-single-layer')), present);
        const absent = await target.location(scratch, 'absent');
        await suite.expectNoImage(absent, `nothing was written there, only at ${present}`);
      },
      timeout,
    );
  });
}
