// sha256 helpers of our own: the testkit stays independent of @skopeo-ts/core so it can judge it.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of a `sha256:<hex>` digest (what blobs/sha256/ names files by). */
export function digestHex(digest: string): string {
  const colon = digest.indexOf(':');
  if (colon < 0 || digest.slice(0, colon) !== 'sha256') throw new Error(`not a sha256 digest: ${digest}`);
  return digest.slice(colon + 1);
}

/** A pass-through stream that hashes and counts what flows through it, so nothing is read twice. */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private result: string | undefined;
  /** Bytes seen so far. */
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  /** `sha256:<hex>` of everything that went through; call once the stream has finished. */
  digest(): string {
    this.result ??= `sha256:${this.hash.digest('hex')}`;
    return this.result;
  }
}
