// Image big data: one file per key in `G/D-images/<id>/`. The file name is the key when it is
// only [.0-9a-z], else "=" + base64 of the key (so `signature-<hex>` is stored encoded).
import { createHash } from 'node:crypto';

const PLAIN_KEY = /^[.0-9a-z]*$/;

export function bigDataFileName(key: string): string {
  return PLAIN_KEY.test(key) ? key : `=${Buffer.from(key, 'utf8').toString('base64')}`;
}

export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Keys for an image's manifest, as containers/image writes them. */
export const MANIFEST_KEY = 'manifest';
export const manifestKey = (digest: string): string => `manifest-${digest}`;
export const signatureKey = (digest: string): string => `signature-${digest.replace(/^sha256:/, '')}`;
