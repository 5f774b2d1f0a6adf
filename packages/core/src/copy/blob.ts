// Copies one blob: reuse when the destination has it, else stream it from the source through
// verification (and compression changes) into the destination.
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobInfoCache } from '../contracts/blob-info-cache.js';
import type { ProgressSink } from '../contracts/context.js';
import type { ImageDestination } from '../contracts/destination.js';
import type { ImageReference } from '../contracts/reference.js';
import type { ImageSource } from '../contracts/source.js';
import type { BlobInfo, CompressionAlgorithm } from '../contracts/types.js';
import { type Digest, isDigest } from '../digest.js';
import { isSkopeoError, SkopeoError, throwIfAborted } from '../errors.js';
import {
  COMPRESSION_MAGIC_BYTES,
  compressor,
  decompressor,
  detectCompression,
} from '../streams/compression.js';
import { peekStream } from '../streams/peek.js';
import { DigestingStream } from '../streams/verify.js';
import { layerMediaTypeWithCompression } from '../manifest/media-types.js';
import {
  type CompressionStep,
  type CompressionWish,
  compressionAfter,
  planCompression,
} from './layer-compression.js';

export interface CopyBlobRequest {
  source: ImageSource;
  destination: ImageDestination;
  info: BlobInfo;
  isConfig: boolean;
  layerIndex?: number;
  expectedDiffID?: Digest;
  instanceDigest?: Digest;
  sourceReference: ImageReference;
  cache: BlobInfoCache;
  /** Layers only; configs are copied as they are. */
  compression: CompressionWish;
  /** The blob's bytes when the engine already read them (configs), instead of source.getBlob. */
  content?: Uint8Array;
  /** The manifest must not change, so neither may the blob. */
  mustPreserve: boolean;
  signal: AbortSignal | undefined;
  progress: ProgressSink | undefined;
}

export interface CopiedBlob {
  /** What the destination now holds. */
  info: BlobInfo;
  /** Compression of the stored blob, when known. */
  compression: CompressionAlgorithm | 'none' | undefined;
  /** true when the destination already had it. */
  reused: boolean;
}

/** Emits blob-progress at most every this many bytes, to keep progress sinks cheap. */
const PROGRESS_GRANULARITY = 1024 * 1024;

export async function copyBlob(request: CopyBlobRequest): Promise<CopiedBlob> {
  const { source, destination, info, isConfig, signal, progress } = request;
  throwIfAborted(signal);
  const common = {
    signal,
    isConfig,
    layerIndex: request.layerIndex,
    expectedDiffID: request.expectedDiffID,
    sourceReference: request.sourceReference,
    cache: request.cache,
    instanceDigest: request.instanceDigest,
  };

  const reused = await destination.tryReusingBlob(info, {
    ...common,
    canSubstitute: !request.mustPreserve && !isConfig,
  });
  if (reused) {
    progress?.({
      kind: 'blob-skipped',
      digest: info.digest,
      isConfig,
      size: reused.size,
      reason: 'already exists',
    });
    return {
      info: {
        ...info,
        digest: reused.digest,
        size: reused.size,
        mediaType: reused.mediaType ?? info.mediaType,
      },
      compression: reused.compression,
      reused: true,
    };
  }

  progress?.({ kind: 'blob-start', digest: info.digest, isConfig, size: info.size });
  const blob = request.content
    ? { stream: Readable.from([Buffer.from(request.content)]), size: request.content.length }
    : await source.getBlob(info, { signal, cache: request.cache, isConfig });
  const verifier = new DigestingStream({ digest: info.digest, size: info.size, what: `blob ${info.digest}` });
  const counter = new ProgressCounter(info.digest, isConfig, info.size, progress);
  const stages: Array<Readable | Transform> = [blob.stream, verifier, counter];
  let step: CompressionStep = { kind: 'preserve' };
  let detected: CompressionAlgorithm | 'none' | undefined;
  if (!isConfig) {
    detected = detectCompression(await peekStream(blob.stream, COMPRESSION_MAGIC_BYTES));
    step = request.mustPreserve ? { kind: 'preserve' } : planCompression(detected, request.compression);
    stages.push(...compressionStages(step, request.compression.level));
  }
  // A changed blob's digest is the destination's to report (the contract says it hashes what it
  // stores): hashing the compressed output here as well cost a second sha256 pass of every layer.
  const changed = step.kind !== 'preserve';
  const tail = new PassThrough({ highWaterMark: 1024 * 1024 });
  // The pipeline listens for the tail's errors while it runs; a destination that fails after the
  // pipeline settled must not turn the destroy below into an uncaught 'error' event.
  tail.on('error', () => {});
  stages.push(tail);

  const mediaType = changed
    ? mediaTypeAfter(info.mediaType, compressionAfter(detected ?? 'none', step))
    : info.mediaType;
  const putting = destination.putBlob(
    tail,
    {
      digest: changed ? undefined : info.digest,
      size: changed ? -1 : info.size,
      ...(mediaType === undefined ? {} : { mediaType }),
      ...(info.annotations === undefined ? {} : { annotations: info.annotations }),
    },
    common,
  );
  // A destination that gives up must also stop the source side of the pipeline.
  putting.catch((error: unknown) => tail.destroy(error instanceof Error ? error : new Error(String(error))));
  // Both sides must settle: a failing pipeline must fail putBlob too (the destination sees the error).
  const flowing = pipeline(stages, signal ? { signal } : {});
  const [flowResult, putResult] = await Promise.allSettled([flowing, putting]);
  // A destination failure destroys the tail with its own error, so the pipeline's error is the
  // first cause on either side.
  if (flowResult.status === 'rejected') throw explainStreamError(flowResult.reason, info.digest);
  if (putResult.status === 'rejected') throw putResult.reason;

  const written = putResult.value;
  const output = changed ? reportedBlob(written, destination, info.digest) : undefined;
  const compression = detected === undefined ? undefined : compressionAfter(detected, step);
  if (!isConfig && detected !== undefined) {
    recordDigests(request.cache, info.digest, detected, output?.digest, step);
  }
  progress?.({ kind: 'blob-done', digest: info.digest, isConfig, size: info.size, bytes: verifier.bytes });
  return {
    info: {
      ...info,
      digest: output ? output.digest : info.digest,
      size: output ? output.size : info.size,
      ...(mediaType === undefined ? {} : { mediaType }),
      ...(written.urls === undefined ? {} : { urls: written.urls }),
    },
    compression,
    reused: false,
  };
}

/** What a destination says it stored for a blob the engine changed on the way; checked, not trusted blindly. */
function reportedBlob(
  written: BlobInfo,
  destination: ImageDestination,
  sourceDigest: Digest,
): { digest: Digest; size: number } {
  const digest = written.digest as unknown;
  if (
    typeof digest !== 'string' ||
    !isDigest(digest) ||
    !Number.isSafeInteger(written.size) ||
    written.size < 0
  ) {
    throw new SkopeoError(
      'INTERNAL',
      `the ${destination.reference.transport.name} destination stored blob ${sourceDigest} (changed on the way: compressed or decompressed) ` +
        'but did not report the digest and size of what it wrote, as putBlob must',
    );
  }
  return { digest, size: written.size };
}

/** zlib's own errors ("incorrect data check") do not say which blob or why; ours do. */
function explainStreamError(error: unknown, digest: Digest): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_') && !isSkopeoError(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new SkopeoError(
      'CORRUPT',
      `blob ${digest} is not valid compressed data (${detail}): the blob is corrupted`,
      {
        cause: error,
      },
    );
  }
  return error;
}

function compressionStages(step: CompressionStep, level: number | undefined): Transform[] {
  switch (step.kind) {
    case 'preserve':
      return [];
    case 'compress':
      return [compressor(step.to, level)];
    case 'decompress':
      return [decompressor(step.from)];
    case 'recompress':
      return [decompressor(step.from), compressor(step.to, level)];
  }
}

/** After decompressing, the output digest is the DiffID; remember it for later copies. */
function recordDigests(
  cache: BlobInfoCache,
  sourceDigest: Digest,
  detected: CompressionAlgorithm | 'none',
  outputDigest: Digest | undefined,
  step: CompressionStep,
): void {
  if (detected === 'none') cache.recordDigestUncompressedPair(sourceDigest, sourceDigest);
  if (outputDigest === undefined) return;
  if (step.kind === 'decompress') cache.recordDigestUncompressedPair(sourceDigest, outputDigest);
  if (step.kind === 'compress') cache.recordDigestUncompressedPair(outputDigest, sourceDigest);
}

/** The layer media type that says the new compression, in the same manifest family. */
function mediaTypeAfter(
  mediaType: string | undefined,
  compression: CompressionAlgorithm | 'none',
): string | undefined {
  if (mediaType === undefined || compression === 'bzip2' || compression === 'xz') return mediaType;
  return layerMediaTypeWithCompression(mediaType, compression) ?? mediaType;
}

/** Counts bytes through the pipeline and reports them now and then. */
class ProgressCounter extends Transform {
  private bytes = 0;
  private reported = 0;
  constructor(
    private readonly digest: Digest,
    private readonly isConfig: boolean,
    private readonly size: number,
    private readonly sink: ProgressSink | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.sink && this.bytes - this.reported >= PROGRESS_GRANULARITY) {
      this.reported = this.bytes;
      this.sink({
        kind: 'blob-progress',
        digest: this.digest,
        isConfig: this.isConfig,
        size: this.size,
        bytes: this.bytes,
      });
    }
    callback(null, chunk);
  }
}
