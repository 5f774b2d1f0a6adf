// The docker-daemon: transport object.
import type { ImageReference, Transport } from '@skopeo-ts/core';
import { DaemonImageReference } from './reference.js';
import { parseDaemonReferenceText } from './reference-text.js';

export const dockerDaemonTransport: Transport = {
  name: 'docker-daemon',
  parseReference(reference: string): ImageReference {
    return new DaemonImageReference(dockerDaemonTransport, parseDaemonReferenceText(reference));
  },
};
