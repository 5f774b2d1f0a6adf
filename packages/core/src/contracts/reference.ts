// ImageReference: one parsed `transport:rest` reference.
import type { DockerReference } from '../reference/docker-reference.js';
import type { Context } from './context.js';
import type { ImageDestination } from './destination.js';
import type { ImageSource } from './source.js';
import type { Transport } from './transport.js';

export interface ImageReference {
  readonly transport: Transport;
  /** The reference within its transport, normalized (e.g. "docker.io/library/busybox:latest" for docker). */
  readonly withinTransport: string;
  /** The docker reference this image is known by, if any (used for tags in archives, policy, ...). */
  readonly dockerReference: DockerReference | undefined;
  /** `transport:withinTransport`, the form a user would type. */
  toString(): string;
  /** Identity used to look up signature policy (e.g. the docker reference string). */
  policyIdentity(): string;
  /** Scopes from most to least specific, for policy lookup. */
  policyNamespaces(): string[];
  newSource(ctx: Context): Promise<ImageSource>;
  newDestination(ctx: Context): Promise<ImageDestination>;
  /** Deletes the image. Transports that cannot delete throw an UNSUPPORTED error. */
  delete(ctx: Context): Promise<void>;
  /**
   * Optional: a destination that takes several images in one write (docker-archive with several
   * sources). Transports without it take one image per destination.
   */
  newMultiImageDestination?(ctx: Context): Promise<MultiImageDestination>;
}

export interface NextImageOptions {
  /** The name the image is stored under (e.g. its source's docker reference); undefined: untagged. */
  dockerReference?: DockerReference;
}

/**
 * Several images written as one unit: each `nextImage()` destination is committed in turn (the
 * copy engine commits it as usual), and nothing is visible until `commit()` of the whole.
 * `close()` without `commit()` leaves nothing behind.
 */
export interface MultiImageDestination {
  readonly reference: ImageReference;
  nextImage(options: NextImageOptions): Promise<ImageDestination>;
  commit(options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
