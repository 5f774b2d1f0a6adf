// Two copies writing at once: into one reference, and into two references of one location (two
// tags of one OCI layout). The target says whether that is safe or refused; either way nothing
// may end half written, and no earlier image may be lost (a lost update of a shared index).
import { describe, expect, it } from 'vitest';
import type { CopyResult, ImageReference } from '@skopeo-ts/core';
import { expectSameImage, expectStored, isWrittenImage } from '../expect-image.js';
import { testImage, uniqueImage } from '../images/catalog.js';
import type { TestSingleImage } from '../images/types.js';
import { withFaults } from '../faults.js';
import { describeError, expectSkopeoError } from '../support/errors.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

/** Slows every blob a little, so the two copies overlap instead of running one after the other. */
const CHUNK_DELAY_MS = 10;

interface Writer {
  image: TestSingleImage;
  destination: ImageReference;
  outcome: PromiseSettledResult<CopyResult>;
}

export function concurrentWriterTests(suite: SuiteContext): void {
  const { target } = suite;
  const timeout = target.timeoutMs;
  const { sameReference, siblingReferences } = target.capabilities.concurrentWriters;

  async function writeAtOnce(destinations: [ImageReference, ImageReference]): Promise<[Writer, Writer]> {
    const images = [await uniqueImage(suite.keptFormat()), await uniqueImage(suite.keptFormat())] as const;
    const outcomes = await Promise.allSettled(
      destinations.map((destination, i) =>
        suite.copy(
          withFaults(suite.fromMemory(images[i] as TestSingleImage), { chunkDelayMs: CHUNK_DELAY_MS }),
          destination,
        ),
      ),
    );
    return [0, 1].map((i) => ({
      image: images[i] as TestSingleImage,
      destination: destinations[i] as ImageReference,
      outcome: outcomes[i] as PromiseSettledResult<CopyResult>,
    })) as [Writer, Writer];
  }

  function expectBothSucceeded(writers: readonly Writer[]): void {
    for (const writer of writers) {
      const { outcome } = writer;
      expect(
        outcome.status,
        `a concurrent copy to ${writer.destination} failed: ${outcome.status === 'rejected' ? describeError(outcome.reason) : ''}`,
      ).toBe('fulfilled');
    }
  }

  /** One writer failed with CONFLICT; returns the other. */
  function expectOneConflict(writers: readonly Writer[]): Writer {
    const failed = writers.filter((writer) => writer.outcome.status === 'rejected');
    expect(failed.length, 'exactly one of the two concurrent copies must fail').toBe(1);
    const [loser] = failed;
    if (loser?.outcome.status === 'rejected') {
      expectSkopeoError(loser.outcome.reason, 'CONFLICT', `the concurrent copy to ${loser.destination}`);
    }
    return writers.find((writer) => writer.outcome.status === 'fulfilled') as Writer;
  }

  describe('concurrent writers', () => {
    it(
      `two copies into one reference at once: ${sameReference}`,
      async () => {
        const destination = await target.location(await scratchDirectory(), 'image');
        const writers = await writeAtOnce([destination, destination]);
        const stored = await suite.read(destination);
        if (sameReference === 'safe') {
          expectBothSucceeded(writers);
          const winner = writers.find(
            (writer) =>
              writer.outcome.status === 'fulfilled' &&
              isWrittenImage(writer.outcome.value, stored, target.policy),
          );
          expect(winner, `${destination} must hold one of the two images whole`).toBeDefined();
          if (winner) expectStored(stored, winner.image, target.policy, `${destination}`);
        } else {
          const winner = expectOneConflict(writers);
          expectStored(stored, winner.image, target.policy, `${destination}`);
        }
      },
      timeout,
    );

    it(
      `two copies into sibling references at once: ${siblingReferences}, and an earlier image stays`,
      async () => {
        const scratch = await scratchDirectory();
        const earlier = await target.location(scratch, 'earlier');
        await suite.copy(suite.fromMemory(await testImage('oci-single-layer')), earlier);
        const earlierImage = await suite.read(earlier);
        const writers = await writeAtOnce([
          await target.location(scratch, 'first'),
          await target.location(scratch, 'second'),
        ]);
        if (siblingReferences === 'safe') {
          expectBothSucceeded(writers);
          for (const writer of writers) {
            expectStored(
              await suite.read(writer.destination),
              writer.image,
              target.policy,
              `${writer.destination}`,
            );
          }
        } else {
          const winner = expectOneConflict(writers);
          expectStored(
            await suite.read(winner.destination),
            winner.image,
            target.policy,
            `${winner.destination}`,
          );
        }
        expectSameImage(await suite.read(earlier), earlierImage, `${earlier} after the concurrent copies`);
      },
      timeout,
    );
  });
}
