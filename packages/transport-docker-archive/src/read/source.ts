// The ImageSource of one image in a docker save archive: a Docker schema 2 manifest made from
// manifest.json and the stored bytes, blobs streamed from their offsets in the tar.
import {
  type BlobInfo,
  type BlobStream,
  buildManifest,
  type Digest,
  digestOf,
  type GetBlobOptions,
  type ImageReference,
  ImageNotFoundError,
  type ImageSource,
  type ManifestBlob,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  manifestDigest,
  noSignatures,
  type ReadOptions,
  type Signature,
} from '@skopeo-ts/core';
import { corruptArchive } from '../errors.js';
import type { DockerArchive } from './archive.js';
import { describeLayers } from './image-layers.js';
import type { ManifestItem } from './manifest-json.js';
import type { TarMember } from './tar-index.js';

/** Configs are held in memory: the same cap as core's. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function diffIDsOf(config: Buffer, label: string): string[] {
  let parsed: { rootfs?: { diff_ids?: unknown } };
  try {
    parsed = JSON.parse(config.toString('utf8')) as typeof parsed;
  } catch (error) {
    throw corruptArchive(label, `the image config is not valid JSON: ${(error as Error).message}`, error);
  }
  const ids = parsed.rootfs?.diff_ids ?? [];
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw corruptArchive(label, 'the image config has no valid rootfs.diff_ids');
  }
  return ids as string[];
}

export class ArchiveImageSource implements ImageSource {
  readonly threadSafe = true;
  readonly getSignatures: (instanceDigest?: Digest, options?: ReadOptions) => Promise<Signature[]> =
    noSignatures;

  private constructor(
    readonly reference: ImageReference,
    private readonly archive: DockerArchive,
    private readonly manifest: ManifestBlob,
    private readonly blobs: ReadonlyMap<string, TarMember>,
    private readonly ownsArchive: boolean,
  ) {}

  /** Builds the source of `item`; the archive is closed with the source when `ownsArchive`. */
  static async open(options: {
    reference: ImageReference;
    archive: DockerArchive;
    item: ManifestItem;
    ownsArchive: boolean;
    signal: AbortSignal | undefined;
  }): Promise<ArchiveImageSource> {
    const { archive, item } = options;
    const configMember = archive.file(item.config);
    const config = await archive.readMember(
      configMember,
      MAX_CONFIG_BYTES,
      `the image config ${item.config}`,
    );
    const configDigest = digestOf(config);
    const layers = await describeLayers(
      archive,
      item.layers,
      diffIDsOf(config, archive.label),
      options.signal,
    );
    const manifest = buildManifest({
      kind: 'docker-v2s2',
      manifest: {
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
        config: { mediaType: MEDIA_TYPE_DOCKER_V2S2_CONFIG, size: config.length, digest: configDigest },
        layers: layers.map((layer) => ({
          mediaType: layer.mediaType,
          size: layer.size,
          digest: layer.digest,
        })),
      },
    });
    const blobs = new Map<string, TarMember>([[configDigest, configMember]]);
    for (const layer of layers) blobs.set(layer.digest, layer.member);
    return new ArchiveImageSource(
      options.reference,
      archive,
      { bytes: manifest.bytes, mediaType: manifest.mediaType },
      blobs,
      options.ownsArchive,
    );
  }

  async getManifest(instanceDigest?: Digest): Promise<ManifestBlob> {
    if (
      instanceDigest !== undefined &&
      instanceDigest !== manifestDigest(this.manifest.bytes, this.manifest.mediaType)
    ) {
      throw new ImageNotFoundError(
        `${this.archive.label}: docker-archive images are single images; there is no manifest ${instanceDigest}`,
      );
    }
    return this.manifest;
  }

  async getBlob(info: BlobInfo, options?: GetBlobOptions): Promise<BlobStream> {
    const member = this.blobs.get(info.digest);
    if (member === undefined) {
      throw new ImageNotFoundError(`${this.archive.label}: the image has no blob ${info.digest}`);
    }
    return { stream: this.archive.stream(member, options?.signal), size: member.size };
  }

  async close(): Promise<void> {
    if (this.ownsArchive) await this.archive.close();
  }
}
