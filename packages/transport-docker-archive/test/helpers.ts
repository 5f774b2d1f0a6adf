// Shared test helpers: references, temp dirs, fixtures, error checks, and copies through the engine.
import { readdir } from 'node:fs/promises';
import {
  type CopyOptions,
  type CopyResult,
  copyImage,
  type ErrorCode,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  isSkopeoError,
  type ManifestBlob,
} from '@skopeo-ts/core';
import { type BuiltImage, buildOciImage, fixtures, makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import ociPlugin from '@skopeo-ts/transport-oci';
import { afterEach, expect } from 'vitest';
import { dockerArchiveTransport } from '../src/index.js';

export const archive = (rest: string): ImageReference => dockerArchiveTransport.parseReference(rest);

const ociTransport = ociPlugin.transports.find((transport) => transport.name === 'oci');
if (ociTransport === undefined) throw new Error('@skopeo-ts/transport-oci has no oci transport');
export const oci = (rest: string): ImageReference => ociTransport.parseReference(rest);

/** A temp dir removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: TempDir[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => dir.cleanup()));
  });
  return async () => {
    const dir = await makeTempDir('skopeo-ts-docker-archive-test');
    dirs.push(dir);
    return dir.path;
  };
}

/** Awaits a rejection with a skopeo-ts error of `code`; returns it for more checks. */
export async function expectSkopeoError(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (!isSkopeoError(error, code)) {
      throw new Error(`expected a ${code} error, got ${(error as Error)?.stack ?? String(error)}`);
    }
    return error;
  }
  expect.unreachable(`expected a ${code} error, but it succeeded`);
  throw new Error('unreachable');
}

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
