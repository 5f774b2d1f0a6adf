// The containers-storage: Transport object.
import type { ImageReference, Transport } from '@skopeo-ts/core';
import { StorageReference } from './reference.js';
import { parseStorageReferenceText } from './reference-text.js';

export const containersStorageTransport: Transport = {
  name: 'containers-storage',
  parseReference(reference: string): ImageReference {
    return new StorageReference(containersStorageTransport, parseStorageReferenceText(reference));
  },
};
