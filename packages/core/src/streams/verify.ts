// Verifies a blob while it streams: its digest and size are checked before the stream ends, so a
// destination never sees a clean end of a corrupted blob.
import { Transform, type TransformCallback } from 'node:stream';
import { type Digest, Digester, digestAlgorithm } from '../digest.js';
import { DigestMismatchError, SizeMismatchError } from '../errors.js';

export interface VerifyExpectation {
  /** Expected digest; undefined only measures. */
  digest: Digest | undefined;
  /** Expected size; -1 when unknown. */
  size: number;
  /** Names the blob in error messages. */
  what: string;
}

/** A pass-through that hashes and counts; on mismatch it fails instead of ending. */
export class DigestingStream extends Transform {
  private readonly digester: Digester;
  private readonly expectation: VerifyExpectation;
  private result: Digest | undefined;

  constructor(expectation: VerifyExpectation) {
    super();
    this.expectation = expectation;
    this.digester = new Digester(expectation.digest ? digestAlgorithm(expectation.digest) : 'sha256');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.digester.update(chunk);
    const { size, what } = this.expectation;
    if (size >= 0 && this.digester.size > size) {
      callback(new SizeMismatchError(what, size, this.digester.size));
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { digest, size, what } = this.expectation;
    const actual = this.digester.digest();
    this.result = actual;
    if (size >= 0 && this.digester.size !== size) {
      callback(new SizeMismatchError(what, size, this.digester.size));
      return;
    }
    if (digest !== undefined && actual !== digest) {
      callback(new DigestMismatchError(what, digest, actual));
      return;
    }
    callback();
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.digester.size;
  }

  /** The digest of everything that passed; only after the stream ended. */
  get digest(): Digest {
    if (this.result === undefined) throw new Error('DigestingStream: digest read before the stream ended');
    return this.result;
  }
}
