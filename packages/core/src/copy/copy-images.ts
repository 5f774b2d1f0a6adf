// Several images into one destination that holds several (docker-archive with many sources):
// each is copied by copyImage into its own part of the destination, and the whole is committed
// once at the end, so a failure leaves nothing behind.
import type { ImageReference } from '../contracts/reference.js';
import { UnsupportedError } from '../errors.js';
import { copyImage } from './copy-image.js';
import type { CopyOptions, CopyResult } from './options.js';

export async function copyImages(
  sourceRefs: readonly ImageReference[],
  destinationRef: ImageReference,
  options: CopyOptions = {},
): Promise<CopyResult[]> {
  if (destinationRef.newMultiImageDestination === undefined) {
    throw new UnsupportedError(
      `${destinationRef.toString()} takes one image: the ${destinationRef.transport.name}: transport cannot store several images in one destination`,
      { hint: 'copy the images one by one, or into docker-archive:FILE' },
    );
  }
  const destinationCtx = {
    ...options.destinationContext,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const multi = await destinationRef.newMultiImageDestination(destinationCtx);
  let committed = false;
  try {
    const results: CopyResult[] = [];
    for (const sourceRef of sourceRefs) {
      // The copy engine opens, commits and closes one image as usual; here that image is the
      // next part of the shared destination, named after its source.
      const part: ImageReference = Object.create(destinationRef, {
        newDestination: {
          value: () =>
            multi.nextImage(sourceRef.dockerReference ? { dockerReference: sourceRef.dockerReference } : {}),
        },
      });
      results.push(await copyImage(sourceRef, part, options));
    }
    await multi.commit(options.signal ? { signal: options.signal } : {});
    committed = true;
    return results;
  } finally {
    await multi.close().catch((error: unknown) => {
      if (committed) throw error;
    });
  }
}
