// Reading what inspect shows from an ImageSource: the top-level manifest, the image for this
// platform when it is a list (as containers/image's FromUnparsedImage), and the config blob,
// verified against its digest and kept small.
import {
  type BlobInfo,
  chooseInstance,
  Digester,
  DigestMismatchError,
  digestAlgorithm,
  type Digest,
  type ImageSource,
  isParsedManifestList,
  type ManifestBlob,
  manifestDigest,
  manifestMatchesDigest,
  MAX_MANIFEST_BYTES,
  ManifestTooLargeError,
  type ParsedImageManifest,
  parseManifestBlob,
  type Platform,
  SizeMismatchError,
  UnsupportedError,
  wantedPlatform,
} from '@skopeo-ts/core';

export interface ResolvedImage {
  top: ManifestBlob;
  manifest: ParsedImageManifest;
  /** The list member chosen, when the top-level manifest is a list. */
  instance: Digest | undefined;
}

/** The image a reference means on this platform (or the overridden one). */
export async function resolveImage(
  source: ImageSource,
  top: ManifestBlob,
  platform: Partial<Platform>,
  signal: AbortSignal | undefined,
): Promise<ResolvedImage> {
  const parsed = parseManifestBlob(top);
  if (!isParsedManifestList(parsed)) return { top, manifest: parsed, instance: undefined };
  const instance = chooseInstance(parsed, wantedPlatform(platform));
  const blob = await source.getManifest(instance, signal ? { signal } : {});
  if (!manifestMatchesDigest(blob.bytes, instance, blob.mediaType)) {
    throw new DigestMismatchError(
      'manifest list instance',
      instance,
      manifestDigest(blob.bytes, blob.mediaType),
    );
  }
  const member = parseManifestBlob(blob);
  if (isParsedManifestList(member)) {
    throw new UnsupportedError(
      `manifest list instance ${instance} is itself a list; nested lists are not supported`,
    );
  }
  return { top, manifest: member, instance };
}

/** A config blob, read whole (it is small) and checked against its digest and size. */
export async function readConfigBlob(
  source: ImageSource,
  info: BlobInfo,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const { stream } = await source.getBlob(info, { isConfig: true, ...(signal ? { signal } : {}) });
  const digester = new Digester(digestAlgorithm(info.digest));
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    digester.update(bytes);
    chunks.push(bytes);
    if (digester.size > MAX_MANIFEST_BYTES) {
      stream.destroy();
      throw new ManifestTooLargeError(`config blob ${info.digest}`, digester.size, MAX_MANIFEST_BYTES);
    }
  }
  if (info.size >= 0 && digester.size !== info.size) {
    throw new SizeMismatchError(`config blob ${info.digest}`, info.size, digester.size);
  }
  const actual = digester.digest();
  if (actual !== info.digest) throw new DigestMismatchError(`config blob`, info.digest, actual);
  return Buffer.concat(chunks);
}
