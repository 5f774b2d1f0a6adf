// Chooses the manifest type written to a destination, and refuses changes that are not allowed.
import type { ImageDestination } from '../contracts/destination.js';
import { UnsupportedError } from '../errors.js';
import {
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from '../manifest/media-types.js';
import type { ParsedManifest } from '../manifest/parse.js';

/** Why a manifest must stay byte-for-byte as it is, if it must. */
export type PreserveReason = 'preserve-digests' | 'destination-digest' | 'signed' | undefined;

const IMAGE_TARGETS = [MEDIA_TYPE_DOCKER_V2S2_MANIFEST, MEDIA_TYPE_OCI_MANIFEST];
const LIST_TARGETS = [MEDIA_TYPE_DOCKER_V2_LIST, MEDIA_TYPE_OCI_INDEX];

/**
 * The media type to write: the source's when the destination accepts it (or the forced one with
 * -f), else the destination's most preferred type that we can convert to.
 */
export function chooseManifestType(
  parsed: ParsedManifest,
  destination: ImageDestination,
  forced: string | undefined,
  preserve: PreserveReason,
): string {
  const supported = destination.supportedManifestTypes;
  const isList = parsed.kind === 'oci-index' || parsed.kind === 'docker-list';
  let target: string;
  if (forced !== undefined) {
    if (supported !== undefined && !supported.includes(forced)) {
      throw new UnsupportedError(
        `${destination.reference.transport.name}: destinations do not accept manifest type ${forced} (they accept ${supported.join(', ')})`,
      );
    }
    target = forced;
  } else if (supported === undefined || supported.includes(parsed.mediaType)) {
    target = parsed.mediaType;
  } else {
    const convertible = isList ? LIST_TARGETS : IMAGE_TARGETS;
    const candidate = supported.find((type) => convertible.includes(type));
    if (candidate === undefined) {
      throw new UnsupportedError(
        `the ${destination.reference.transport.name}: destination accepts ${supported.join(', ')}, and a ${parsed.mediaType} manifest cannot be converted to any of them`,
      );
    }
    target = candidate;
  }
  if (target !== parsed.mediaType && preserve !== undefined) {
    throw new UnsupportedError(
      `the manifest would have to be converted from ${parsed.mediaType} to ${target}, but ${preserveText(preserve)}`,
    );
  }
  return target;
}

export function preserveText(reason: Exclude<PreserveReason, undefined>): string {
  switch (reason) {
    case 'preserve-digests':
      return '--preserve-digests forbids changing it';
    case 'destination-digest':
      return 'the destination is named by digest, so the manifest must not change';
    case 'signed':
      return 'the source image is signed and changing the manifest would invalidate the signatures (use --remove-signatures to drop them)';
  }
}
