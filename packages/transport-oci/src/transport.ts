// The two Transport objects this package provides.
import type { ImageReference, Transport } from '@skopeo-ts/core';
import { OciArchiveReference, OciLayoutReference } from './reference.js';
import { parseLayoutReferenceText, validatePathScope } from './reference-text.js';

export const ociTransport: Transport = {
  name: 'oci',
  parseReference(reference: string): ImageReference {
    return new OciLayoutReference(ociTransport, parseLayoutReferenceText('oci', reference, true));
  },
  validatePolicyScope: validatePathScope,
};

export const ociArchiveTransport: Transport = {
  name: 'oci-archive',
  parseReference(reference: string): ImageReference {
    return new OciArchiveReference(
      ociArchiveTransport,
      parseLayoutReferenceText('oci-archive', reference, false),
    );
  },
  validatePolicyScope: validatePathScope,
};
