// Reading response bodies into memory, never more than a limit: a hostile or broken server must not
// make us buffer gigabytes for what should be a small JSON document.
import type { Readable } from 'node:stream';
import { ManifestTooLargeError } from '@skopeo-ts/core';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;
/** Tag lists and catalogs: big repositories have many thousands of tags. */
export const MAX_LIST_BYTES = 16 * 1024 * 1024;

/**
 * Reads the whole body, failing with MANIFEST_TOO_LARGE (naming `what`) beyond `limit` bytes.
 * `declaredLength` (Content-Length) lets a too-large body fail before any of it is read.
 */
export async function readLimited(
  body: Readable,
  limit: number,
  what: string,
  declaredLength?: number,
): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > limit) {
    discard(body);
    throw new ManifestTooLargeError(what, declaredLength, limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.on('error', () => {});
      body.destroy();
      throw new ManifestTooLargeError(what, size, limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Reads at most `limit` bytes and drops the rest (error bodies: a message is enough). */
export async function readTruncated(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = limit - size;
      if (room <= 0) break;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(part);
      size += part.length;
    }
  } catch {
    // A broken error body: what we have is the message.
  } finally {
    body.on('error', () => {});
    body.destroy();
  }
  return Buffer.concat(chunks, size);
}

export function contentLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const value = headers['content-length'];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Drops a body we do not need. Small bodies are read to their end so the connection can be
 * reused; the rest are cut off. Never throws and never leaves an unhandled 'error' event.
 */
export function discard(body: Readable): void {
  body.on('error', () => {});
  const dump = (body as Readable & { dump?: (options?: { limit?: number }) => Promise<void> }).dump;
  if (typeof dump === 'function') {
    dump.call(body, { limit: 64 * 1024 }).catch(() => {});
    return;
  }
  body.destroy();
}
