// Shared test helpers: references, temp dirs, fixtures, error checks, and copies through the engine.
import { useTempDirs as sharedUseTempDirs } from '@skopeo-ts/testkit/vitest';
import { readdir } from 'node:fs/promises';
import {
  type CopyOptions,
  type CopyResult,
  copyImage,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  type ManifestBlob,
} from '@skopeo-ts/core';
import { type BuiltImage, buildOciImage, fixtures } from '@skopeo-ts/testkit';
import ociPlugin from '@skopeo-ts/transport-oci';
import { dockerArchiveTransport } from '../src/index.js';

export const archive = (rest: string): ImageReference => dockerArchiveTransport.parseReference(rest);

const ociTransport = ociPlugin.transports.find((transport) => transport.name === 'oci');
if (ociTransport === undefined) throw new Error('@skopeo-ts/transport-oci has no oci transport');
export const oci = (rest: string): ImageReference => ociTransport.parseReference(rest);

/** A temp dir removed after the current test. */
export const useTempDirs = () => sharedUseTempDirs('skopeo-ts-docker-archive-test');

export { expectSkopeoError } from '@skopeo-ts/testkit/vitest';

/** The testkit's multi-layer image (gzip and uncompressed layers) in an OCI layout. */
export function multiLayerImage(dir: string, tag = 'latest'): Promise<BuiltImage> {
  return buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag });
}

export function singleImage(layout: string, tag: string, label = tag): Promise<BuiltImage> {
  const spec = fixtures.single();
  return buildOciImage(layout, { ...spec, labels: { ...spec.labels, 'org.skopeo-ts.test': label } }, { tag });
}

export function copy(
  source: ImageReference,
  destination: ImageReference,
  options?: CopyOptions,
): Promise<CopyResult> {
  return copyImage(source, destination, options);
}

/** A reference whose newDestination() hands out `destination`: copies into a multi-image archive. */
export function destinationReference(destination: ImageDestination): ImageReference {
  const base = destination.reference;
  return {
    transport: base.transport,
    withinTransport: base.withinTransport,
    dockerReference: base.dockerReference,
    toString: () => base.toString(),
    policyIdentity: () => base.policyIdentity(),
    policyNamespaces: () => base.policyNamespaces(),
    newSource: (ctx) => base.newSource(ctx),
    newDestination: async () => destination,
    delete: (ctx) => base.delete(ctx),
  };
}

export interface ReadImage {
  manifest: ManifestBlob;
  parsed: {
    config: { digest: string; size: number; mediaType: string };
    layers: { digest: string; size: number; mediaType: string }[];
  };
}

/** The manifest of an image, read through our source. */
export async function readImage(reference: ImageReference): Promise<ReadImage> {
  const source: ImageSource = await reference.newSource({});
  try {
    const manifest = await source.getManifest();
    return {
      manifest,
      parsed: JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as ReadImage['parsed'],
    };
  } finally {
    await source.close();
  }
}

/** Names in a directory: nothing may be left behind. */
export function entries(dir: string): Promise<string[]> {
  return readdir(dir);
}
