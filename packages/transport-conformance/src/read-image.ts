// Reads a whole image back from any reference and checks it on the way: every manifest and blob
// must match the digest and size that names it. Layers are decompressed to get their DiffIDs,
// which is what "the same layer contents" means across compression changes.
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  type BlobInfo,
  type CompressionAlgorithm,
  type Context,
  type Digest,
  configInfo,
  detectCompression,
  digestOf,
  type ImageReference,
  type ImageSource,
  isParsedManifestList,
  layerInfos,
  layerMediaTypeCompression,
  listInstances,
  type ManifestBlob,
  manifestDigest,
  manifestMatchesDigest,
  type ParsedImageManifest,
  type ParsedManifestList,
  parseManifestBlob,
  type Signature,
} from '@skopeo-ts/core';

export interface ReadLayer {
  /** The descriptor in the manifest. */
  info: BlobInfo;
  /**
   * The compression of the blob the manifest names: detected from its bytes, or, when the source
   * serves the layer in another form (`servedAs`), what the manifest's media type declares.
   */
  compression: CompressionAlgorithm | 'none';
  /** sha256 of the uncompressed tar. */
  diffID: Digest;
  /**
   * The blob read instead of `info`, when the source's `layerInfosForCopy` names another one (a
   * store that keeps layers' files, not their compressed blobs, serves the uncompressed tar).
   */
  servedAs?: BlobInfo;
}

export interface ReadSingleImage {
  kind: 'image';
  manifest: ManifestBlob;
  digest: Digest;
  parsed: ParsedImageManifest;
  /** undefined for schema 1 (no config). */
  config: Uint8Array | undefined;
  layers: ReadLayer[];
  signatures: Signature[];
}

export interface ReadIndex {
  kind: 'index';
  manifest: ManifestBlob;
  digest: Digest;
  parsed: ParsedManifestList;
  instances: ReadSingleImage[];
  signatures: Signature[];
}

export type ReadImage = ReadSingleImage | ReadIndex;

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function readBlob(source: ImageSource, info: BlobInfo, isConfig: boolean): Promise<Uint8Array> {
  const what = `${isConfig ? 'config' : 'layer'} ${info.digest} of ${source.reference}`;
  const blob = await source.getBlob(info, { isConfig });
  const bytes = await readAll(blob.stream);
  if (blob.size !== -1 && blob.size !== bytes.length) {
    throw new Error(`${what}: getBlob announced ${blob.size} bytes but the stream had ${bytes.length}`);
  }
  if (info.size !== -1 && info.size !== bytes.length) {
    throw new Error(`${what}: the manifest says ${info.size} bytes, the blob has ${bytes.length}`);
  }
  const actual = digestOf(bytes);
  if (actual !== info.digest) throw new Error(`${what}: the blob's bytes have digest ${actual}`);
  return bytes;
}

function uncompressedDigest(bytes: Uint8Array, what: string): Pick<ReadLayer, 'compression' | 'diffID'> {
  const compression = detectCompression(bytes.subarray(0, 8));
  if (compression === 'none') return { compression, diffID: digestOf(bytes) };
  if (compression === 'gzip') return { compression, diffID: digestOf(gunzipSync(bytes)) };
  throw new Error(
    `${what} is ${compression}-compressed; the conformance suite reads gzip and plain tar only`,
  );
}

async function readSingle(
  source: ImageSource,
  manifest: ManifestBlob,
  instance: Digest | undefined,
): Promise<ReadSingleImage> {
  const parsed = parseManifestBlob(manifest);
  if (isParsedManifestList(parsed)) throw new Error(`${source.reference}: a list inside a list`);
  const config = configInfo(parsed);
  const configBytes = config ? await readBlob(source, config, true) : undefined;
  const manifestLayers = layerInfos(parsed);
  // What a copy reads: the source may serve its layers in another form than the manifest names.
  const served = await source.layerInfosForCopy?.(instance);
  if (served !== undefined && served.length !== manifestLayers.length) {
    throw new Error(
      `${source.reference}: layerInfosForCopy names ${served.length} layers, the manifest ${manifestLayers.length}`,
    );
  }
  const layers: ReadLayer[] = [];
  for (const [index, info] of manifestLayers.entries()) {
    const read = served?.[index] ?? info;
    const bytes = await readBlob(source, read, false);
    const found = uncompressedDigest(bytes, `layer ${read.digest} of ${source.reference}`);
    if (read.digest === info.digest) {
      layers.push({ info, ...found });
      continue;
    }
    const declared = info.mediaType === undefined ? undefined : layerMediaTypeCompression(info.mediaType);
    if (declared === undefined) {
      throw new Error(
        `layer ${info.digest} of ${source.reference}: media type ${info.mediaType} names no compression`,
      );
    }
    layers.push({ info, compression: declared, diffID: found.diffID, servedAs: read });
  }
  return {
    kind: 'image',
    manifest,
    digest: manifestDigest(manifest.bytes, manifest.mediaType),
    parsed,
    config: configBytes,
    layers,
    signatures: await source.getSignatures(instance),
  };
}

/** Reads everything `reference` holds, verifying each manifest and blob against its digest. */
export async function readImage(reference: ImageReference, ctx: Context = {}): Promise<ReadImage> {
  const source = await reference.newSource(ctx);
  try {
    const manifest = await source.getManifest();
    const parsed = parseManifestBlob(manifest);
    if (!isParsedManifestList(parsed)) return await readSingle(source, manifest, undefined);
    const instances: ReadSingleImage[] = [];
    for (const entry of listInstances(parsed)) {
      const member = await source.getManifest(entry.digest);
      if (!manifestMatchesDigest(member.bytes, entry.digest, member.mediaType)) {
        throw new Error(`${reference}: list member ${entry.digest} has other bytes`);
      }
      instances.push(await readSingle(source, member, entry.digest));
    }
    return {
      kind: 'index',
      manifest,
      digest: manifestDigest(manifest.bytes, manifest.mediaType),
      parsed,
      instances,
      signatures: await source.getSignatures(),
    };
  } finally {
    await source.close();
  }
}
