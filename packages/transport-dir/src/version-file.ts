// Reading the `version` file that marks a directory as a dir: image.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedError } from '@skopeo-ts/core';
import { asSkopeoError, errorCode, isMissing } from './io.js';
import {
  type DirLayoutVersion,
  formatVersion,
  isNewerVersion,
  MAX_SUPPORTED_VERSION,
  parseVersion,
  VERSION_1_1,
  VERSION_FILE,
} from './layout.js';

export type VersionFileState =
  | { kind: 'missing' }
  | { kind: 'invalid'; text: string }
  | { kind: 'valid'; version: DirLayoutVersion; text: string };

/** A real version file is one short line; reading a little more is enough to refuse anything else. */
const MAX_VERSION_FILE_BYTES = 256;

export async function readVersionFile(dir: string): Promise<VersionFileState> {
  const path = join(dir, VERSION_FILE);
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_VERSION_FILE_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      const version = parseVersion(text);
      return version ? { kind: 'valid', version, text } : { kind: 'invalid', text };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isMissing(error)) return { kind: 'missing' };
    // EISDIR and the like: whatever "version" is, it is not ours.
    if (errorCode(error) === 'EISDIR') return { kind: 'invalid', text: '' };
    throw asSkopeoError('reading', path, error);
  }
}

/** Throws unless the version file names a layout this package can read and write. */
export function checkReadableVersion(
  state: Exclude<VersionFileState, { kind: 'missing' }>,
  dir: string,
): void {
  const path = join(dir, VERSION_FILE);
  if (state.kind === 'invalid') {
    throw new UnsupportedError(
      `${path} does not hold a dir: transport version (expected e.g. ${JSON.stringify(formatVersion(VERSION_1_1))}, found ${JSON.stringify(state.text.slice(0, 80))})`,
    );
  }
  if (isNewerVersion(state.version, MAX_SUPPORTED_VERSION)) {
    throw new UnsupportedError(
      `dir:${dir} uses directory transport version ${state.version.major}.${state.version.minor}; this @skopeo-ts/transport-dir supports up to ${MAX_SUPPORTED_VERSION.major}.${MAX_SUPPORTED_VERSION.minor}`,
      { hint: 'upgrade @skopeo-ts/transport-dir' },
    );
  }
}
