// Reading: the engine's image save (`GET /images/get?names=…`, a `docker save` tar) is streamed
// to a temp file, then read as a docker-archive. The archive's layers are found by seeking, and
// the engine's stream cannot seek, hence the file; it is removed when the source closes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Context,
  type Digest,
  ImageNotFoundError,
  type ImageReference,
  type ImageSource,
  IoError,
  type ReadOptions,
  SkopeoError,
} from '@skopeo-ts/core';
import { openArchiveSource } from '@skopeo-ts/transport-docker-archive';
import { EngineClient, engineMessage } from './engine/client.js';
import { readLimited } from './engine/body.js';
import { writeBodyToFile } from './engine/write-body.js';

/** The engine's path for an image name (names and IDs hold only path-safe characters). */
export function imagePath(name: string): string {
  return `/images/${encodeURIComponent(name).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@')}`;
}

/**
 * NOT_FOUND when the engine has no such image. Asked first because an image save of a missing
 * image is not a clean 404 everywhere (dockerd 20.10 answers 500 for an unknown ID).
 */
async function requireImage(client: EngineClient, name: string, ctx: Context): Promise<void> {
  const { status, body } = await client.call({
    method: 'GET',
    path: `${imagePath(name)}/json`,
    signal: ctx.signal,
  });
  if (status === 200) return;
  const message = engineMessage(body);
  if (status === 404) {
    throw new ImageNotFoundError(
      `image ${name} not found in the Docker daemon at ${client.host.text}: ${message}`,
    );
  }
  throw new SkopeoError(
    'IO',
    `the Docker daemon at ${client.host.text} could not inspect ${name} (${status}): ${message}`,
  );
}

/** Saves `name` from the engine into `dir/image.tar`. */
async function saveToFile(client: EngineClient, name: string, dir: string, ctx: Context): Promise<string> {
  await requireImage(client, name, ctx);
  const exchange = client.send({
    method: 'GET',
    path: `/images/get?names=${encodeURIComponent(name)}`,
    signal: ctx.signal,
    long: true,
  });
  const res = await exchange.response;
  if (res.statusCode !== 200) {
    const message = engineMessage(await readLimited(res.body, 1024 * 1024));
    if (res.statusCode === 404) {
      throw new ImageNotFoundError(
        `image ${name} not found in the Docker daemon at ${client.host.text}: ${message}`,
      );
    }
    throw new SkopeoError(
      'IO',
      `the Docker daemon at ${client.host.text} could not save ${name} (${res.statusCode}): ${message}`,
    );
  }
  const path = join(dir, 'image.tar');
  try {
    await writeBodyToFile(res.body, path, ctx.signal);
  } catch (error) {
    if (ctx.signal?.aborted) throw client.connectionError(error, ctx.signal);
    throw new IoError(`saving ${name} from the Docker daemon at ${client.host.text} to`, path, error);
  }
  return path;
}

export async function openDaemonSource(
  reference: ImageReference,
  engineName: string,
  ctx: Context,
): Promise<ImageSource> {
  const client = await EngineClient.open(ctx);
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(ctx.tmpDir ?? tmpdir(), 'skopeo-ts-daemon-'));
    const path = await saveToFile(client, engineName, dir, ctx);
    client.close();
    const inner = await openArchiveSource({ path, selector: undefined, reference, ctx });
    return new DaemonImageSource(reference, inner, dir);
  } catch (error) {
    client.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The archive source under our reference; closing it also removes the saved file. */
class DaemonImageSource implements ImageSource {
  readonly layerInfosForCopy?: ImageSource['layerInfosForCopy'];

  constructor(
    readonly reference: ImageReference,
    private readonly inner: ImageSource,
    private readonly dir: string,
  ) {
    const layerInfos = inner.layerInfosForCopy?.bind(inner);
    if (layerInfos !== undefined) this.layerInfosForCopy = layerInfos;
  }

  get threadSafe(): boolean {
    return this.inner.threadSafe;
  }

  getManifest(instanceDigest?: Digest, options?: ReadOptions) {
    return this.inner.getManifest(instanceDigest, options);
  }

  getBlob(...args: Parameters<ImageSource['getBlob']>) {
    return this.inner.getBlob(...args);
  }

  getSignatures(instanceDigest?: Digest, options?: ReadOptions) {
    return this.inner.getSignatures(instanceDigest, options);
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
