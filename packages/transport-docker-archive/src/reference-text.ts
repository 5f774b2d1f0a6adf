// The text of docker-archive: references: PATH, PATH:REFERENCE (a tagged docker reference;
// name-only gets :latest) or PATH:@N (the N-th image of the archive's manifest.json, sources only).
// PATH ends at the first ":" as in skopeo, so paths with a colon cannot be named.
import {
  type DockerReference,
  InvalidReferenceError,
  isSkopeoError,
  parseDockerReference,
  withDefaultTag,
} from '@skopeo-ts/core';

export const TRANSPORT_NAME = 'docker-archive';

export interface ParsedArchiveReference {
  /** The archive path as typed. */
  path: string;
  /** The tagged name to read or write; undefined when none was given. */
  dockerReference: DockerReference | undefined;
  /** `@N`: the N-th image of manifest.json (from 0); undefined when not given. */
  sourceIndex: number | undefined;
}

export function parseArchiveReferenceText(rest: string): ParsedArchiveReference {
  const input = `${TRANSPORT_NAME}:${rest}`;
  const colon = rest.indexOf(':');
  const path = colon < 0 ? rest : rest.slice(0, colon);
  const suffix = colon < 0 ? undefined : rest.slice(colon + 1);
  if (path === '') {
    throw new InvalidReferenceError(
      input,
      `the archive path before the first ":" is empty; use ${TRANSPORT_NAME}:PATH[:NAME:TAG|:@N], e.g. ${TRANSPORT_NAME}:/tmp/image.tar:busybox:latest`,
    );
  }
  if (suffix === undefined) return { path, dockerReference: undefined, sourceIndex: undefined };
  if (suffix === '') {
    throw new InvalidReferenceError(
      input,
      'nothing follows the ":" after the path: give NAME[:TAG] or @N, or drop the ":"',
    );
  }
  if (suffix.startsWith('@'))
    return { path, dockerReference: undefined, sourceIndex: parseIndex(input, suffix) };
  let named: DockerReference;
  try {
    named = parseDockerReference(suffix);
  } catch (error) {
    if (isSkopeoError(error, 'INVALID_REFERENCE')) {
      throw new InvalidReferenceError(
        input,
        `"${suffix}" is not a valid image name: ${reasonOf(error.message)}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  if (named.digest !== undefined) {
    throw new InvalidReferenceError(
      input,
      `docker-archive doesn't support digest references: name the image by tag (NAME:TAG) or position (@N)`,
    );
  }
  return { path, dockerReference: withDefaultTag(named), sourceIndex: undefined };
}

function parseIndex(input: string, suffix: string): number {
  const digits = suffix.slice(1);
  if (!/^\d+$/.test(digits)) {
    throw new InvalidReferenceError(
      input,
      `"${suffix}" is not a valid image index: use @N with N a non-negative integer (the N-th image in the archive, from 0)`,
    );
  }
  const index = Number.parseInt(digits, 10);
  if (!Number.isSafeInteger(index))
    throw new InvalidReferenceError(input, `image index ${suffix} is too large`);
  return index;
}

/** core's message is `invalid reference "X": reason`; keep the reason only. */
function reasonOf(message: string): string {
  const marker = message.indexOf('": ');
  return marker < 0 ? message : message.slice(marker + 3);
}
