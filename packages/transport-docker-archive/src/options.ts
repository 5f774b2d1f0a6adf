// Settings of this transport that core does not know, from ctx.transportOptions['docker-archive'].
import { type Context, SkopeoError } from '@skopeo-ts/core';
import { TRANSPORT_NAME } from './reference-text.js';

export interface DockerArchiveOptions {
  /**
   * Replace an existing archive (atomically, at commit) instead of refusing it. Default false:
   * like skopeo, a non-empty file is never modified.
   */
  replaceExisting: boolean;
}

export function archiveOptions(ctx: Context): DockerArchiveOptions {
  const raw = ctx.transportOptions?.[TRANSPORT_NAME] ?? {};
  const replaceExisting = raw.replaceExisting ?? false;
  if (typeof replaceExisting !== 'boolean') {
    throw new SkopeoError(
      'INVALID_ARGUMENT',
      `transportOptions['${TRANSPORT_NAME}'].replaceExisting must be a boolean`,
    );
  }
  return { replaceExisting };
}
