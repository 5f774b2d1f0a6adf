// The plugin object, the references the target hands out, and the ones it must refuse.
import { describe, expect, it } from 'vitest';
import { isSkopeoError, PLUGIN_BRAND } from '@skopeo-ts/core';
import { expectSkopeoError } from '../support/errors.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

export function pluginAndReferenceTests({ target }: SuiteContext): void {
  const timeout = target.timeoutMs;

  describe('plugin and references', () => {
    it('the plugin is a branded skopeo-ts plugin that holds the transport', () => {
      expect(target.plugin.brand).toBe(PLUGIN_BRAND);
      expect(target.plugin.packageName, 'packageName').not.toBe('');
      expect(target.plugin.packageVersion, 'packageVersion').not.toBe('');
      expect(target.transport.name).toBe(target.name);
    });

    it(
      'references from newLocation parse, print as "<transport>:..." and parse back to themselves',
      async () => {
        const scratch = await scratchDirectory();
        const reference = await target.location(scratch, 'image');
        expect(reference.transport.name).toBe(target.name);
        const printed = reference.toString();
        expect(printed.startsWith(`${target.name}:`), `${printed} must start with "${target.name}:"`).toBe(
          true,
        );
        expect(printed).toBe(`${target.name}:${reference.withinTransport}`);
        expect(target.parse(printed).toString(), 'parsing the printed form again').toBe(printed);
        const sibling = await target.location(scratch, 'sibling');
        expect(sibling.toString(), 'two names in one location must be two references').not.toBe(printed);
      },
      timeout,
    );

    it('the target lists at least one invalid reference', () => {
      expect(target.invalidReferences.length).toBeGreaterThan(0);
    });

    for (const input of target.invalidReferences) {
      it(`refuses ${JSON.stringify(input)} with INVALID_REFERENCE naming the input`, () => {
        let error: unknown;
        try {
          target.transport.parseReference(input);
        } catch (caught) {
          error = caught;
        }
        expect(error, `parseReference(${JSON.stringify(input)}) must throw`).toBeDefined();
        expectSkopeoError(error, 'INVALID_REFERENCE', `parseReference(${JSON.stringify(input)})`);
        if (isSkopeoError(error)) {
          expect(error.message, 'the message must quote what was given').toContain(input);
        }
      });
    }
  });
}
