// What the destination needs from an image config: the DiffIDs every layer must match, and the
// creation time recorded for the image.
import { SkopeoError } from '@skopeo-ts/core';

function parseConfig(bytes: Uint8Array, label: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SkopeoError('INVALID_MANIFEST', `${label}: the image config is not a JSON object`);
}

export function configDiffIds(bytes: Uint8Array, label: string): string[] {
  const rootfs = parseConfig(bytes, label).rootfs as { diff_ids?: unknown } | undefined;
  const ids = rootfs?.diff_ids;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(id))) {
    throw new SkopeoError('INVALID_MANIFEST', `${label}: the image config has no valid rootfs.diff_ids`);
  }
  return ids as string[];
}

export function configCreated(bytes: Uint8Array): Date {
  try {
    const created = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { created?: unknown }).created;
    if (typeof created === 'string') {
      const date = new Date(created);
      if (!Number.isNaN(date.getTime())) return date;
    }
  } catch {
    // fall through
  }
  return new Date();
}
