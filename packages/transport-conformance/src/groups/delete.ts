// Deleting: the image goes, its siblings stay whole (shared blobs included); a transport that
// cannot delete says UNSUPPORTED and keeps the image.
import { describe, it } from 'vitest';
import { expectSameImage } from '../expect-image.js';
import { testImage } from '../images/catalog.js';
import { expectRejection } from '../support/errors.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

export function deleteTests(suite: SuiteContext): void {
  const { target } = suite;
  const timeout = target.timeoutMs;

  describe('delete', () => {
    if (target.capabilities.delete) {
      it(
        'delete removes the image',
        async () => {
          const reference = await target.location(await scratchDirectory(), 'image');
          await suite.copy(suite.fromMemory(await testImage('oci-multi-layer')), reference);
          await reference.delete(target.context);
          await suite.expectNoImage(reference, 'it was deleted');
        },
        timeout,
      );

      it(
        'delete keeps a sibling that shares every blob whole',
        async () => {
          const scratch = await scratchDirectory();
          const image = await testImage('oci-multi-layer');
          const doomed = await target.location(scratch, 'doomed');
          const kept = await target.location(scratch, 'kept');
          await suite.copy(suite.fromMemory(image), doomed);
          await suite.copy(suite.fromMemory(image), kept);
          const before = await suite.read(kept);
          await doomed.delete(target.context);
          await suite.expectNoImage(doomed, 'it was deleted');
          expectSameImage(await suite.read(kept), before, `${kept} after its sibling was deleted`);
        },
        timeout,
      );

      it(
        'deleting a missing image fails with NOT_FOUND',
        async () => {
          const missing = await target.missingImage(await scratchDirectory());
          await expectRejection(missing.delete(target.context), 'NOT_FOUND', `deleting ${missing}`);
        },
        timeout,
      );
    } else {
      it(
        'delete fails with UNSUPPORTED and keeps the image',
        async () => {
          const reference = await target.location(await scratchDirectory(), 'image');
          await suite.copy(suite.fromMemory(await testImage('oci-single-layer')), reference);
          const before = await suite.read(reference);
          await expectRejection(reference.delete(target.context), 'UNSUPPORTED', `deleting ${reference}`);
          expectSameImage(await suite.read(reference), before, `${reference} after the refused delete`);
        },
        timeout,
      );
    }
  });
}
