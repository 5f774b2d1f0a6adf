// What follows `docker-daemon:`: NAME:TAG, NAME@DIGEST (normalized as docker does), or an image
// ID `sha256:<64 hex>`. Unlike docker://, there is no implicit :latest (skopeo refuses a bare
// name: the engine would otherwise pick an image the user did not name).
import {
  type DockerReference,
  InvalidReferenceError,
  parseDockerReference,
  isSkopeoError,
} from '@skopeo-ts/core';

export type DaemonReferenceTarget =
  | { kind: 'name'; ref: DockerReference }
  | { kind: 'id'; id: `sha256:${string}` };

const IMAGE_ID = /^sha256:([0-9a-f]{64})$/;

export function parseDaemonReferenceText(text: string): DaemonReferenceTarget {
  const shown = `docker-daemon:${text}`;
  if (text.startsWith('sha256:')) {
    if (IMAGE_ID.test(text)) return { kind: 'id', id: text as `sha256:${string}` };
    throw new InvalidReferenceError(
      shown,
      'the sha256 repository name is reserved for (non-shortened) image IDs: write sha256:<64 lowercase hex digits>',
    );
  }
  let ref: DockerReference;
  try {
    ref = parseDockerReference(text);
  } catch (error) {
    // Name the whole input the user typed, with the reason core found.
    if (isSkopeoError(error, 'INVALID_REFERENCE')) {
      const reason = error.message.replace(/^invalid reference "[^"]*": /, '');
      throw new InvalidReferenceError(shown, reason, { cause: error });
    }
    throw error;
  }
  if (ref.tag === undefined && ref.digest === undefined) {
    throw new InvalidReferenceError(
      shown,
      `docker-daemon: reference ${text} has neither a tag nor a digest; add one, e.g. ${text}:latest`,
    );
  }
  if (ref.tag !== undefined && ref.digest !== undefined) {
    throw new InvalidReferenceError(
      shown,
      'docker-daemon: references with both a tag and digest are currently not supported; keep only one',
    );
  }
  return { kind: 'name', ref };
}

/** The normalized text after `docker-daemon:`: the image ID, or docker's familiar form. */
export function daemonReferenceText(target: DaemonReferenceTarget): string {
  return target.kind === 'id' ? target.id : target.ref.familiarString();
}

/** The name the engine API is asked for: the full normalized name, or the image ID. */
export function engineImageName(target: DaemonReferenceTarget): string {
  return target.kind === 'id' ? target.id : target.ref.toString();
}
