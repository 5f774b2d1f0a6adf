// `transport:rest` references as skopeo takes them on the command line, and the rules of the
// `docker:` transport's own part (`//NAME[:TAG|@DIGEST]`).
import { InvalidReferenceError } from '../errors.js';
import { type DockerReference, parseDockerReferenceText, withDefaultTag } from './docker-reference.js';

export interface TransportReferenceParts {
  /** Transport name, e.g. "docker", "oci", "dir". */
  transport: string;
  /** Everything after the first ":", for the transport to parse. */
  rest: string;
}

/**
 * Splits `transport:rest` at the first ":" (as containers/image's ParseImageName): the rest may
 * hold more colons, e.g. `oci:/path:tag`. Does not check that the transport exists.
 */
export function splitTransportReference(input: string): TransportReferenceParts {
  const colon = input.indexOf(':');
  if (colon < 0) {
    throw new InvalidReferenceError(
      input,
      'expected "transport:reference", e.g. docker://busybox or oci:/path:tag',
    );
  }
  const transport = input.slice(0, colon);
  const rest = input.slice(colon + 1);
  if (transport === '') {
    throw new InvalidReferenceError(input, 'the transport name before ":" is empty, e.g. docker://busybox');
  }
  if (rest === '') {
    throw new InvalidReferenceError(input, `the reference after "${transport}:" is empty`);
  }
  return { transport, rest };
}

/**
 * Parses what follows `docker:` as skopeo's docker transport does: it must start with "//",
 * a name without tag or digest gets `:latest`, and a tag together with a digest is refused
 * (a registry cannot be asked for both at once).
 */
export function parseDockerTransportReference(rest: string): DockerReference {
  const shownInput = `docker:${rest}`;
  if (!rest.startsWith('//')) {
    throw new InvalidReferenceError(
      shownInput,
      'docker references must start with "//", e.g. docker://busybox',
    );
  }
  const ref = parseDockerReferenceText(rest.slice(2), shownInput);
  if (ref.tag !== undefined && ref.digest !== undefined) {
    throw new InvalidReferenceError(
      shownInput,
      'Docker references with both a tag and digest are currently not supported; keep only one',
    );
  }
  return withDefaultTag(ref);
}
