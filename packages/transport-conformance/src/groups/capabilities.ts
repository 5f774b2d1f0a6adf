// The destination must declare what the target says it does: the copy engine decides from these
// fields, so a mismatch means copies silently do something other than the README promises.
import { describe, expect, it } from 'vitest';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

export function capabilityTests(suite: SuiteContext): void {
  const { target } = suite;
  describe('declared capabilities', () => {
    it(
      'the destination declares the capabilities the target lists, and closing it unused leaves nothing',
      async () => {
        const scratch = await scratchDirectory();
        const reference = await target.location(scratch, 'image');
        const destination = await reference.newDestination(target.context);
        try {
          const { capabilities } = target;
          expect(destination.supportsManifestLists, 'supportsManifestLists').toBe(capabilities.manifestLists);
          expect(destination.supportsSignatures, 'supportsSignatures').toBe(capabilities.signatures);
          expect(destination.desiredLayerCompression, 'desiredLayerCompression').toBe(
            capabilities.layerCompression,
          );
          expect(destination.supportedManifestTypes, 'supportedManifestTypes').toEqual(
            capabilities.manifestTypes,
          );
          expect(destination.reference.toString()).toBe(reference.toString());
        } finally {
          await destination.close();
        }
        await suite.expectNoImage(reference, 'its destination was closed without writing anything');
      },
      target.timeoutMs,
    );
  });
}
