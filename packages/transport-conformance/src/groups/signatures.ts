// Signatures travel with the image when the target stores them; when it does not, copying a
// signed image must fail rather than drop them silently, unless told to remove them.
import { describe, expect, it } from 'vitest';
import type { Signature } from '@skopeo-ts/core';
import type { ReadImage } from '../read-image.js';
import { expectRejection } from '../support/errors.js';
import { scratchDirectory } from '../support/scratch.js';
import type { SuiteContext } from '../support/suite-context.js';

/**
 * Simple-signing signatures are OpenPGP messages; stores that tell formats apart by the first
 * byte (as containers/image's dir: does) need one that OpenPGP can start with: 0xa3 opens an
 * old-format compressed-data packet. The rest needs no meaning: nothing verifies it here.
 */
function simpleSigning(text: string): Signature {
  return {
    kind: 'simple-signing',
    bytes: new Uint8Array(Buffer.concat([Buffer.from([0xa3, 0x01]), Buffer.from(text)])),
  };
}

const SIGNATURES: readonly Signature[] = [
  simpleSigning('conformance signature one'),
  simpleSigning('conformance signature two'),
];

/** Comparable form: transports may hand back Buffers or plain Uint8Arrays. */
function comparable(signatures: readonly Signature[]): unknown[] {
  return signatures.map((signature) =>
    signature.kind === 'simple-signing'
      ? { kind: signature.kind, bytes: Buffer.from(signature.bytes).toString('hex') }
      : { ...signature, payload: Buffer.from(signature.payload).toString('hex') },
  );
}

/** The target serves (layerInfosForCopy) other blobs than its manifest names. */
function servesOtherLayers(stored: ReadImage): boolean {
  const singles = stored.kind === 'image' ? [stored] : stored.instances;
  return singles.some((single) => single.layers.some((layer) => layer.servedAs !== undefined));
}

export function signatureTests(suite: SuiteContext): void {
  const { target } = suite;
  const timeout = target.timeoutMs;

  describe('signatures', () => {
    if (target.capabilities.signatures) {
      it(
        'signatures are stored with the image and copied back out',
        async () => {
          const image = await suite.keptImage();
          const destination = await target.location(await scratchDirectory(), 'image');
          await suite.copy(suite.fromMemory(image, { signatures: SIGNATURES }), destination);
          const stored = await suite.read(destination);
          expect(comparable(stored.signatures)).toEqual(comparable(SIGNATURES));
          const back = suite.memoryLocation();
          if (servesOtherLayers(stored)) {
            // The copy out would change the manifest the signatures sign: refused, as skopeo does.
            await expectRejection(
              suite.copy(destination, back),
              'UNSUPPORTED',
              'copying out a signed image whose layers the target serves in another form',
            );
            await suite.copy(destination, back, { removeSignatures: true });
            expect((await suite.read(back)).signatures).toEqual([]);
            return;
          }
          await suite.copy(destination, back);
          expect(comparable((await suite.read(back)).signatures)).toEqual(comparable(SIGNATURES));
        },
        timeout,
      );
    } else {
      it(
        'copying a signed image fails with UNSUPPORTED and stores nothing',
        async () => {
          const image = await suite.keptImage();
          const destination = await target.location(await scratchDirectory(), 'image');
          await expectRejection(
            suite.copy(suite.fromMemory(image, { signatures: SIGNATURES }), destination),
            'UNSUPPORTED',
            'copying a signed image to a destination without signatures',
          );
          await suite.expectNoImage(destination, 'the only copy there was refused');
        },
        timeout,
      );
    }

    it(
      'removeSignatures copies a signed image without its signatures',
      async () => {
        const image = await suite.keptImage();
        const destination = await target.location(await scratchDirectory(), 'image');
        await suite.copy(suite.fromMemory(image, { signatures: SIGNATURES }), destination, {
          removeSignatures: true,
        });
        expect((await suite.read(destination)).signatures).toEqual([]);
      },
      timeout,
    );
  });
}
