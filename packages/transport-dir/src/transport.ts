// The `dir` transport: images stored as plain directories (see layout.ts).
import { posix } from 'node:path';
import { SkopeoError, type Transport } from '@skopeo-ts/core';
import { DIR_TRANSPORT_NAME } from './layout.js';
import { DirReference } from './reference.js';

export const dirTransport: Transport = Object.freeze({
  name: DIR_TRANSPORT_NAME,
  parseReference: (reference: string): DirReference => parseDirReference(reference),
  validatePolicyScope,
});

/** Parses what follows `dir:` (a directory path, absolute or relative to the current directory). */
export function parseDirReference(path: string): DirReference {
  return new DirReference(dirTransport, path);
}

/** policy.json scopes for dir: are absolute, clean paths other than "/" (as containers/image). */
function validatePolicyScope(scope: string): void {
  const refuse = (reason: string): never => {
    throw new SkopeoError('INVALID_REFERENCE', `invalid dir: policy scope "${scope}": ${reason}`);
  };
  if (!scope.startsWith('/')) refuse('it must be an absolute path');
  // "/" would mean the same as the default scope "" and could shadow it unexpectedly.
  if (scope === '/') refuse('use the default scope "" instead of "/"');
  const cleaned = posix.normalize(scope).replace(/(.)\/$/, '$1');
  if (cleaned !== scope) refuse(`it is not in canonical form, perhaps ${cleaned}`);
}
