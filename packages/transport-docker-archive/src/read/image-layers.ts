// What each layer of a chosen image is, as the manifest we report will say: digest, size and
// media type, from the stored bytes (compression by magic, not by name).
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import {
  type Digest,
  detectCompression,
  isDigest,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  throwIfAborted,
  UnsupportedError,
} from '@skopeo-ts/core';
import { corruptArchive } from '../errors.js';
import type { DockerArchive } from './archive.js';
import type { TarMember } from './tar-index.js';

export interface StoredLayer {
  member: TarMember;
  digest: Digest;
  size: number;
  mediaType: string;
}

/** Docker 25+ stores blobs under their digest; the name is then the (verified-on-copy) digest. */
const BLOB_PATH = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/;

async function sha256OfMember(
  archive: DockerArchive,
  member: TarMember,
  signal?: AbortSignal,
): Promise<Digest> {
  const hash = createHash('sha256');
  await pipeline(archive.stream(member, signal), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) hash.update(chunk);
  });
  return `sha256:${hash.digest('hex')}`;
}

export async function describeLayers(
  archive: DockerArchive,
  layerNames: readonly string[],
  diffIDs: readonly string[],
  signal: AbortSignal | undefined,
): Promise<StoredLayer[]> {
  const { label } = archive;
  if (layerNames.length !== diffIDs.length) {
    throw corruptArchive(
      label,
      `manifest.json lists ${layerNames.length} layers but the image config has ${diffIDs.length} DiffIDs`,
    );
  }
  const layers: StoredLayer[] = [];
  for (const [index, name] of layerNames.entries()) {
    throwIfAborted(signal);
    const member = archive.file(name);
    const compression = detectCompression(await archive.head(member, 6));
    if (compression === 'none') {
      // An uncompressed layer is its own DiffID, as skopeo reports it; the copy verifies it.
      const diffID = diffIDs[index] ?? '';
      if (!isDigest(diffID))
        throw corruptArchive(label, `the image config has an invalid DiffID ${JSON.stringify(diffID)}`);
      layers.push({ member, digest: diffID, size: member.size, mediaType: MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR });
    } else if (compression === 'gzip') {
      const named = BLOB_PATH.exec(name)?.[1];
      const digest: Digest =
        named !== undefined ? `sha256:${named}` : await sha256OfMember(archive, member, signal);
      layers.push({ member, digest, size: member.size, mediaType: MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP });
    } else {
      throw new UnsupportedError(
        `${label}: layer ${JSON.stringify(name)} is ${compression}-compressed; docker-archive reads uncompressed and gzip layers only (zstd is not supported yet)`,
      );
    }
  }
  return layers;
}
