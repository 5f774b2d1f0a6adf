// runTransportConformance: defines the whole suite for one transport as vitest describe/it
// blocks. Capabilities a transport lacks are tested too (it must refuse clearly): nothing is
// skipped.
import { afterAll, beforeAll, describe } from 'vitest';
import { capabilityTests } from './groups/capabilities.js';
import { concurrentWriterTests } from './groups/concurrent-writers.js';
import { corruptedBlobTests } from './groups/corrupted-blob.js';
import { deleteTests } from './groups/delete.js';
import { interruptedWriteTests } from './groups/interrupted-write.js';
import { missingImageTests } from './groups/missing-image.js';
import { pluginAndReferenceTests } from './groups/plugin-and-references.js';
import { roundTripTests } from './groups/round-trip.js';
import { signatureTests } from './groups/signatures.js';
import { createSuiteContext } from './support/suite-context.js';
import { type ConformanceTarget, resolveTarget } from './target.js';

/** Call at the top level of a test file (not inside a test): it defines the suite's tests. */
export function runTransportConformance(target: ConformanceTarget): void {
  const resolved = resolveTarget(target);
  describe(`${resolved.title}: transport conformance`, () => {
    beforeAll(resolved.setup, resolved.timeoutMs);
    afterAll(resolved.teardown, resolved.timeoutMs);
    const suite = createSuiteContext(resolved);
    pluginAndReferenceTests(suite);
    capabilityTests(suite);
    roundTripTests(suite);
    missingImageTests(suite);
    interruptedWriteTests(suite);
    concurrentWriterTests(suite);
    corruptedBlobTests(suite);
    signatureTests(suite);
    deleteTests(suite);
  });
}
