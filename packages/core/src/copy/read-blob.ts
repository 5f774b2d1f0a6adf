// Reads a small blob (an image config) whole, verified, with a size cap.
import type { ImageSource } from '../contracts/source.js';
import type { BlobInfo } from '../contracts/types.js';
import { ManifestTooLargeError } from '../errors.js';
import { DigestingStream } from '../streams/verify.js';

/** Configs are held in memory, so they get the same cap as manifests. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export async function readSmallBlob(
  source: ImageSource,
  info: BlobInfo,
  signal: AbortSignal | undefined,
  what = `config ${info.digest}`,
): Promise<Uint8Array> {
  if (info.size > MAX_CONFIG_BYTES) throw new ManifestTooLargeError(what, info.size, MAX_CONFIG_BYTES);
  const blob = await source.getBlob(info, { ...(signal ? { signal } : {}), isConfig: true });
  const verifier = new DigestingStream({ digest: info.digest, size: info.size, what });
  const chunks: Buffer[] = [];
  let length = 0;
  blob.stream.once('error', (error) => verifier.destroy(error));
  for await (const chunk of blob.stream.pipe(verifier) as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_CONFIG_BYTES) {
      blob.stream.destroy();
      throw new ManifestTooLargeError(what, length, MAX_CONFIG_BYTES);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/** The DiffIDs an image config lists, if it is an image config at all. */
export function diffIDsOf(config: Uint8Array): string[] | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(config).toString('utf8')) as { rootfs?: { diff_ids?: unknown } };
    const ids = parsed.rootfs?.diff_ids;
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? (ids as string[]) : undefined;
  } catch {
    return undefined;
  }
}
