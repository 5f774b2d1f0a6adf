// Writing: a `docker save` tar is streamed straight into the engine's image load
// (`POST /images/load`) while the copy runs: no temp file, no layer in memory. Layers go as
// the source has them (gzip or not): the engine decompresses them itself, and a remote engine
// gets fewer bytes. The engine loads nothing until the archive is complete (its manifest.json
// is written at commit), and a copy that fails before commit aborts the request, so a failed
// copy never leaves an image behind.
import { PassThrough } from 'node:stream';
import {
  type CommitOptions,
  type Context,
  type DockerReference,
  type ImageDestination,
  type ImageReference,
  SkopeoError,
} from '@skopeo-ts/core';
import { createArchiveStreamDestination } from '@skopeo-ts/transport-docker-archive';
import { EngineClient, engineMessage } from './engine/client.js';
import { readLimited } from './engine/body.js';
import { type LoadOutcome, readLoadOutcome } from './engine/load-progress.js';

/**
 * Layers as the source has them (default), or decompressed with
 * `transportOptions: { 'docker-daemon': { layerCompression: 'decompress' } }`: then what the
 * engine saves back is, byte for byte, the manifest the copy reported.
 */
export function daemonLayerCompression(ctx: Context): 'preserve' | 'decompress' {
  const value = ctx.transportOptions?.['docker-daemon']?.layerCompression;
  if (value === undefined || value === 'preserve' || value === 'decompress') return value ?? 'preserve';
  throw new SkopeoError(
    'INVALID_ARGUMENT',
    `docker-daemon: layerCompression must be 'preserve' or 'decompress', not ${JSON.stringify(value)}`,
  );
}

export async function openDaemonDestination(
  reference: ImageReference,
  name: DockerReference,
  ctx: Context,
): Promise<ImageDestination> {
  const client = await EngineClient.open(ctx);
  const host = client.host.text;
  const archive = new PassThrough();
  const exchange = client.send({
    method: 'POST',
    path: '/images/load?quiet=1',
    headers: { 'Content-Type': 'application/x-tar' },
    body: archive,
    signal: ctx.signal,
    long: true,
  });
  const outcome: Promise<LoadOutcome> = exchange.response.then(async (res) => {
    if (res.statusCode !== 200) {
      const message = engineMessage(await readLimited(res.body, 1024 * 1024));
      throw new SkopeoError(
        'IO',
        `the Docker daemon at ${host} refused the image load (${res.statusCode}): ${message}`,
      );
    }
    return readLoadOutcome(res.body, ctx.progress);
  });
  // An engine that answers before the archive is complete has failed: stop the copy now, with
  // its reason, rather than when the next write hits a closed connection.
  outcome.then(
    () => {},
    (error: unknown) => archive.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  try {
    const inner = await createArchiveStreamDestination({
      output: archive,
      reference,
      tags: [name],
      layerCompression: daemonLayerCompression(ctx),
      ctx,
    });
    return new DaemonImageDestination(reference, inner, { client, archive, exchange, outcome, ctx });
  } catch (error) {
    exchange.cancel(new Error('the copy did not start'));
    archive.destroy();
    client.close();
    throw error;
  }
}

interface LoadRequest {
  client: EngineClient;
  archive: PassThrough;
  exchange: ReturnType<EngineClient['send']>;
  outcome: Promise<LoadOutcome>;
  ctx: Context;
}

/** The docker-archive stream destination under our reference, committed by the engine's answer. */
class DaemonImageDestination implements ImageDestination {
  private committed = false;
  private closed = false;
  readonly hasManifest?: ImageDestination['hasManifest'];

  constructor(
    readonly reference: ImageReference,
    private readonly inner: ImageDestination,
    private readonly load: LoadRequest,
  ) {
    const hasManifest = inner.hasManifest?.bind(inner);
    if (hasManifest !== undefined) this.hasManifest = hasManifest;
  }

  get supportedManifestTypes() {
    return this.inner.supportedManifestTypes;
  }
  get desiredLayerCompression() {
    return this.inner.desiredLayerCompression;
  }
  get desiredCompressionAlgorithm() {
    return this.inner.desiredCompressionAlgorithm;
  }
  get acceptsForeignLayers() {
    return this.inner.acceptsForeignLayers;
  }
  get supportsSignatures() {
    return this.inner.supportsSignatures;
  }
  get mustMatchDigest() {
    return this.inner.mustMatchDigest;
  }
  get threadSafe() {
    return this.inner.threadSafe;
  }
  get supportsManifestLists() {
    return this.inner.supportsManifestLists;
  }

  putBlob(...args: Parameters<ImageDestination['putBlob']>) {
    return this.inner.putBlob(...args);
  }
  tryReusingBlob(...args: Parameters<ImageDestination['tryReusingBlob']>) {
    return this.inner.tryReusingBlob(...args);
  }
  putManifest(...args: Parameters<ImageDestination['putManifest']>) {
    return this.inner.putManifest(...args);
  }
  putSignatures(...args: Parameters<ImageDestination['putSignatures']>) {
    return this.inner.putSignatures(...args);
  }

  /** Finishes the archive, then waits for the engine to say it loaded the image. */
  async commit(options?: CommitOptions): Promise<void> {
    const { archive, outcome, client } = this.load;
    await this.inner.commit(options);
    if (!archive.writableEnded) archive.end();
    const result = await outcome;
    if (result.error !== undefined) {
      throw new SkopeoError(
        'IO',
        `the Docker daemon at ${client.host.text} did not load the image: ${result.error}`,
      );
    }
    this.committed = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { archive, exchange, client } = this.load;
    if (!this.committed) {
      // Cut the upload: the engine sees a truncated archive and loads nothing.
      exchange.cancel(new Error('the copy did not complete'));
      archive.destroy();
    }
    try {
      await this.inner.close();
    } finally {
      client.close();
    }
  }
}
