// The engine API version we speak: what the engine offers, capped to what we know. 1.22 is the
// oldest (skopeo's fixed version; image save/load are unchanged since), 1.41 the newest we test
// (dockerd 20.10, podman 4's Docker API).
import { SkopeoError } from '@skopeo-ts/core';

export const MIN_API_VERSION = '1.22';
export const MAX_API_VERSION = '1.41';

function parts(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(version.trim());
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

export function compareApiVersions(a: string, b: string): number {
  const [aMajor, aMinor] = parts(a) ?? [0, 0];
  const [bMajor, bMinor] = parts(b) ?? [0, 0];
  return aMajor - bMajor || aMinor - bMinor;
}

/** min(server, MAX); refuses an engine older than MIN. `server` undefined: the engine did not say. */
export function negotiateApiVersion(server: string | undefined, hostText: string): string {
  if (server === undefined || parts(server) === undefined) return MIN_API_VERSION;
  if (compareApiVersions(server, MIN_API_VERSION) < 0) {
    throw new SkopeoError(
      'UNSUPPORTED',
      `the Docker daemon at ${hostText} speaks engine API ${server}, older than ${MIN_API_VERSION}, the oldest supported`,
    );
  }
  return compareApiVersions(server, MAX_API_VERSION) > 0 ? MAX_API_VERSION : server.trim();
}
