// "Not supported" defaults, so that a transport implements only what it really has.
import { UnsupportedError } from '../errors.js';
import type { ReusedBlob } from './destination.js';
import type { Signature } from './types.js';

/** For ImageReference.delete on transports that cannot delete. */
export function deleteNotSupported(transportName: string): () => Promise<never> {
  return async () => {
    throw new UnsupportedError(`deleting images is not supported by the ${transportName}: transport`);
  };
}

/** For ImageDestination.putSignatures on destinations that cannot store signatures. */
export function signaturesNotSupported(transportName: string): (signatures: Signature[]) => Promise<void> {
  return async (signatures) => {
    if (signatures.length > 0) {
      throw new UnsupportedError(`the ${transportName}: transport cannot store signatures`, {
        hint: 'use --remove-signatures to copy without them',
      });
    }
  };
}

/** For ImageSource.getSignatures on sources that never have signatures. */
export async function noSignatures(): Promise<Signature[]> {
  return [];
}

/** For ImageDestination.tryReusingBlob on destinations that cannot know what they hold. */
export async function noBlobReuse(): Promise<ReusedBlob | undefined> {
  return undefined;
}
