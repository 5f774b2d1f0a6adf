// A pass-through that counts and hashes (sha256) what goes through it.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** Counts and hashes what passes through. */
export class Measure extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
