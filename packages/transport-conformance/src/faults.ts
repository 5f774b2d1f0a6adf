// Fault injection on the source side of a copy: a blob whose bytes are damaged, one that stops
// flowing halfway, or slow blobs. Wrapping the reference works for any transport's source.
import { Readable } from 'node:stream';
import type {
  BlobInfo,
  BlobStream,
  Context,
  Digest,
  GetBlobOptions,
  ImageReference,
  ImageSource,
} from '@skopeo-ts/core';

export interface BlobFault {
  /** Replaces the blob's bytes (keep the length to get a digest error rather than a size error). */
  corrupt?: (bytes: Uint8Array) => Uint8Array;
  /** Sends this many bytes, then sends nothing more until the reader gives up (destroys the stream). */
  stallAfter?: number;
}

export interface SourceFaults {
  /** Faults by blob digest (layers and configs). */
  blobs?: ReadonlyMap<Digest, BlobFault>;
  /** Every blob is sent in small chunks with this delay between them, to make copies overlap. */
  chunkDelayMs?: number;
  /** Called when a stalled blob has sent its bytes and its reader asks for more. */
  onStall?: (digest: Digest) => void;
}

const SLOW_CHUNK_BYTES = 4096;

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function stallingStream(bytes: Uint8Array, after: number, onStall: () => void): Readable {
  let sent = false;
  let stalled = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.from(bytes.subarray(0, Math.min(after, bytes.length))));
      } else if (!stalled) {
        // The reader took the first part and wants more: the copy is now mid-blob.
        stalled = true;
        onStall();
      }
    },
  });
}

function slowStream(bytes: Uint8Array, delayMs: number): Readable {
  let offset = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Readable({
    read() {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        const chunk = bytes.subarray(offset, offset + SLOW_CHUNK_BYTES);
        offset += chunk.length;
        this.push(chunk.length > 0 ? Buffer.from(chunk) : null);
      }, delayMs);
    },
    destroy(error, callback) {
      if (timer !== undefined) clearTimeout(timer);
      callback(error);
    },
  });
}

class FaultySource implements ImageSource {
  readonly threadSafe: boolean;
  readonly layerInfosForCopy?: ImageSource['layerInfosForCopy'];

  constructor(
    readonly reference: ImageReference,
    private readonly inner: ImageSource,
    private readonly faults: SourceFaults,
  ) {
    this.threadSafe = inner.threadSafe;
    if (inner.layerInfosForCopy) this.layerInfosForCopy = inner.layerInfosForCopy.bind(inner);
  }

  getManifest(...args: Parameters<ImageSource['getManifest']>) {
    return this.inner.getManifest(...args);
  }

  getSignatures(...args: Parameters<ImageSource['getSignatures']>) {
    return this.inner.getSignatures(...args);
  }

  async getBlob(info: BlobInfo, options?: GetBlobOptions): Promise<BlobStream> {
    const fault = this.faults.blobs?.get(info.digest);
    const delay = this.faults.chunkDelayMs;
    if (fault === undefined && delay === undefined) return this.inner.getBlob(info, options);
    const original = await this.inner.getBlob(info, options);
    let bytes = await readAll(original.stream);
    if (fault?.corrupt) bytes = fault.corrupt(bytes);
    if (fault?.stallAfter !== undefined) {
      const stallAfter = fault.stallAfter;
      return {
        stream: stallingStream(bytes, stallAfter, () => this.faults.onStall?.(info.digest)),
        size: bytes.length,
      };
    }
    if (delay !== undefined) return { stream: slowStream(bytes, delay), size: bytes.length };
    return { stream: Readable.from([Buffer.from(bytes)], { objectMode: false }), size: bytes.length };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `reference` with its sources wrapped so that they misbehave as `faults` says. */
export function withFaults(reference: ImageReference, faults: SourceFaults): ImageReference {
  const wrapped: ImageReference = {
    transport: reference.transport,
    withinTransport: reference.withinTransport,
    dockerReference: reference.dockerReference,
    toString: () => reference.toString(),
    policyIdentity: () => reference.policyIdentity(),
    policyNamespaces: () => reference.policyNamespaces(),
    newSource: async (ctx: Context) => new FaultySource(wrapped, await reference.newSource(ctx), faults),
    newDestination: (ctx: Context) => reference.newDestination(ctx),
    delete: (ctx: Context) => reference.delete(ctx),
  };
  return wrapped;
}

/** Changes one byte to another (low bit flipped, so ASCII stays ASCII), keeping the length. */
export function changeByteAt(offset: number): (bytes: Uint8Array) => Uint8Array {
  return (bytes) => {
    if (offset >= bytes.length)
      throw new Error(`cannot change byte ${offset} of a ${bytes.length}-byte blob`);
    const copy = new Uint8Array(bytes);
    copy[offset] = (copy[offset] ?? 0) ^ 0x01;
    return copy;
  };
}
