// The docker-archive Transport object.
import { type ImageReference, InvalidReferenceError, type Transport } from '@skopeo-ts/core';
import { listArchiveTags } from './list-tags.js';
import { DockerArchiveReference } from './reference.js';
import { parseArchiveReferenceText, TRANSPORT_NAME } from './reference-text.js';

export const dockerArchiveTransport: Transport = {
  name: TRANSPORT_NAME,
  parseReference(reference: string): ImageReference {
    return new DockerArchiveReference(dockerArchiveTransport, parseArchiveReferenceText(reference));
  },
  // skopeo: archives support no policy scopes but the transport's default "".
  validatePolicyScope(scope: string): void {
    throw new InvalidReferenceError(
      scope,
      `${TRANSPORT_NAME}: does not support any scopes except the default "" one`,
    );
  },
  listTags: listArchiveTags,
};
