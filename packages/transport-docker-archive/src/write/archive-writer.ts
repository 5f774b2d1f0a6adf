// Writes images into one docker save tar: blobs as they arrive (straight into the tar when their
// size and digest are known and nothing else is being written, else spooled to a temp file
// first), then at finish the legacy layer directories, manifest.json and repositories.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type Context,
  type Digest,
  type DockerReference,
  digestHex,
  digestOf,
  ManifestTooLargeError,
  type PutBlobInfo,
  SkopeoError,
  throwIfAborted,
} from '@skopeo-ts/core';
import { asError } from '../errors.js';
import { MANIFEST_FILE, REPOSITORIES_FILE } from '../read/manifest-json.js';
import { makeTempDir, removeTempDir } from '../temp-dir.js';
import { legacyLayers, repositoriesJson } from './legacy-layout.js';
import { spoolBlob } from './spool.js';
import type { TarOutput } from './tar-output.js';

/** Configs are held in memory: the same cap as core's. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** skopeo's names: layers `<hex>.tar`, configs `<hex>.json`. */
const layerName = (digest: Digest): string => `${digestHex(digest)}.tar`;

export interface WrittenBlob {
  digest: Digest;
  size: number;
  /** The member name in the archive. */
  name: string;
}

export interface ArchiveImage {
  configDigest: Digest;
  configBytes: Uint8Array;
  layerDigests: readonly Digest[];
  tags: readonly DockerReference[];
}

export class ArchiveWriter {
  private readonly blobs = new Map<Digest, WrittenBlob>();
  private readonly inflight = new Map<Digest, Promise<WrittenBlob>>();
  private readonly configs = new Map<Digest, Uint8Array>();
  private readonly images: ArchiveImage[] = [];
  private readonly taggedBy = new Map<string, number>();
  private spoolDir: Promise<string> | undefined;

  constructor(
    private readonly tar: TarOutput,
    private readonly ctx: Context,
    /** Names the destination in errors. */
    readonly label: string,
  ) {}

  /** A blob already in the archive (or being written), by digest. */
  async known(digest: Digest): Promise<WrittenBlob | undefined> {
    return this.blobs.get(digest) ?? (await this.inflight.get(digest)?.catch(() => undefined));
  }

  async putBlob(
    stream: Readable,
    info: PutBlobInfo,
    isConfig: boolean,
    signal?: AbortSignal,
  ): Promise<BlobInfo> {
    throwIfAborted(signal);
    const existing = info.digest === undefined ? undefined : await this.known(info.digest);
    if (existing !== undefined) {
      stream.resume(); // the engine still sends the bytes; nothing to store twice
      return { digest: existing.digest, size: existing.size };
    }
    const writing = isConfig ? this.writeConfig(stream) : this.writeBlob(stream, info, signal);
    if (info.digest !== undefined) {
      const digest = info.digest;
      this.inflight.set(digest, writing);
      writing.finally(() => this.inflight.delete(digest)).catch(() => {});
    }
    const written = await writing;
    return { digest: written.digest, size: written.size };
  }

  /** Configs are small and needed again at finish (the legacy top layer's json): kept in memory. */
  private async writeConfig(stream: Readable): Promise<WrittenBlob> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_CONFIG_BYTES)
        throw new ManifestTooLargeError('the image config', size, MAX_CONFIG_BYTES);
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks, size);
    const digest = digestOf(bytes);
    const already = this.blobs.get(digest);
    if (already !== undefined) return already;
    const blob = { digest, size, name: `${digestHex(digest)}.json` };
    await this.tar.addBytes(blob.name, bytes);
    this.configs.set(digest, bytes);
    this.blobs.set(digest, blob);
    return blob;
  }

  /** The bytes of a config written earlier. */
  readConfig(digest: Digest): Uint8Array {
    const bytes = this.configs.get(digest);
    if (bytes === undefined) {
      throw new SkopeoError(
        'INTERNAL',
        `${this.label}: the manifest names config ${digest}, which was not written`,
      );
    }
    return bytes;
  }

  private async writeBlob(stream: Readable, info: PutBlobInfo, signal?: AbortSignal): Promise<WrittenBlob> {
    if (info.digest !== undefined && info.size >= 0 && this.tar.idle) {
      const blob = { digest: info.digest, size: info.size, name: layerName(info.digest) };
      await this.tar.addFile(blob.name, blob.size, stream);
      this.blobs.set(blob.digest, blob);
      return blob;
    }
    const spooled = await spoolBlob(stream, await this.spoolDirectory(), signal);
    try {
      const already = this.blobs.get(spooled.digest);
      if (already !== undefined) return already;
      const blob = {
        digest: spooled.digest,
        size: spooled.size,
        name: layerName(spooled.digest),
      };
      await this.tar.addFile(
        blob.name,
        blob.size,
        createReadStream(spooled.path, { highWaterMark: 1024 * 1024 }),
      );
      this.blobs.set(blob.digest, blob);
      return blob;
    } finally {
      await rm(spooled.path, { force: true });
    }
  }

  private spoolDirectory(): Promise<string> {
    this.spoolDir ??= makeTempDir(this.ctx, 'blobs');
    return this.spoolDir;
  }

  /** Records a committed image; its blobs must be in the archive and its tags unused. */
  addImage(image: ArchiveImage): void {
    for (const digest of [image.configDigest, ...image.layerDigests]) {
      if (!this.blobs.has(digest)) {
        throw new SkopeoError(
          'INTERNAL',
          `${this.label}: the manifest names blob ${digest}, which was not written`,
        );
      }
    }
    const index = this.images.length;
    for (const tag of image.tags) {
      const other = this.taggedBy.get(tag.toString());
      if (other !== undefined) {
        throw new SkopeoError(
          'INVALID_ARGUMENT',
          `${this.label}: the tag ${tag.toString()} is already used by image @${other} of this archive`,
          { hint: 'give every image of one archive different names' },
        );
      }
    }
    for (const tag of image.tags) this.taggedBy.set(tag.toString(), index);
    this.images.push(image);
  }

  get imageCount(): number {
    return this.images.length;
  }

  /** Writes the legacy directories, manifest.json and repositories, and ends the tar. */
  async finish(): Promise<void> {
    const manifest = [];
    const repositories = [];
    const legacyIds = new Set<string>();
    for (const image of this.images) {
      const blobOf = (digest: Digest) => this.blobs.get(digest) as WrittenBlob;
      const layers = image.layerDigests.map((digest) => ({ digest, name: blobOf(digest).name }));
      const legacy = legacyLayers({ ...image, layers });
      for (const layer of legacy) {
        if (legacyIds.has(layer.id)) continue;
        legacyIds.add(layer.id);
        await this.tar.addDirectory(layer.id);
        await this.tar.addBytes(`${layer.id}/VERSION`, Buffer.from('1.0'));
        await this.tar.addBytes(`${layer.id}/json`, layer.json);
        await this.tar.addSymlink(`${layer.id}/layer.tar`, `../${layer.layerName}`);
      }
      manifest.push({
        Config: blobOf(image.configDigest).name,
        RepoTags: image.tags.map((tag) => tag.toString()),
        Layers: layers.map((layer) => layer.name),
      });
      repositories.push({ tags: image.tags, topLayerId: legacy.at(-1)?.id });
    }
    await this.tar.addBytes(MANIFEST_FILE, Buffer.from(JSON.stringify(manifest)));
    await this.tar.addBytes(REPOSITORIES_FILE, repositoriesJson(repositories));
    await this.tar.finish();
    await this.cleanup();
  }

  /** Gives up: the output is torn down with `error` and temp files are removed. */
  async abort(error: unknown): Promise<void> {
    this.tar.fail(asError(error));
    await this.tar.settled();
    await Promise.allSettled([...this.inflight.values()]);
    await this.cleanup();
  }

  private async cleanup(): Promise<void> {
    const dir = await this.spoolDir?.catch(() => undefined);
    if (dir !== undefined) await removeTempDir(dir);
  }
}
