// Which blobs an index entry keeps alive: the entry's manifest, its config and layers, and for an
// index every member, recursively. Used to delete only what nothing else in the layout needs.
import {
  type Digest,
  isDigest,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  MAX_MANIFEST_BYTES,
  type OciDescriptor,
} from '@skopeo-ts/core';
import { findBlob } from './blobs.js';
import { readFileLimited } from './read-limited.js';
import type { BlobStore } from './paths.js';

const MANIFEST_TYPES = new Set<string>([
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_DOCKER_V2_LIST,
]);

/** Blobs reached from some entries, and the manifests that could not be read on the way. */
export interface Reachable {
  digests: Set<Digest>;
  /** Manifest blobs that are missing or unreadable: what they reference is unknown. */
  unreadable: Digest[];
}

/**
 * Every blob reachable from `entries`. Known manifest types are followed through their
 * descriptors; an entry of another type (an artifact) is read as JSON when small and every
 * `digest` found in it counts as referenced, so nothing an unknown format needs is deleted.
 */
export async function reachableBlobs(
  store: BlobStore,
  entries: readonly OciDescriptor[],
): Promise<Reachable> {
  const result: Reachable = { digests: new Set(), unreadable: [] };
  const visit = async (descriptor: { digest: string; mediaType?: string; size?: number }, top: boolean) => {
    if (!isDigest(descriptor.digest) || result.digests.has(descriptor.digest)) return;
    const digest = descriptor.digest;
    result.digests.add(digest);
    const known = descriptor.mediaType !== undefined && MANIFEST_TYPES.has(descriptor.mediaType);
    // Members of manifests are only read when they are manifests; unknown top entries are probed.
    if (!known && !top) return;
    if (!known && (descriptor.size ?? 0) > MAX_MANIFEST_BYTES) return;
    const json = await readJsonBlob(store, digest);
    if (json === undefined) {
      if (known) result.unreadable.push(digest);
      return;
    }
    for (const child of childDescriptors(json)) await visit(child, false);
  };
  for (const entry of entries) await visit(entry, true);
  return result;
}

async function readJsonBlob(store: BlobStore, digest: Digest): Promise<unknown> {
  const found = await findBlob(store, digest);
  if (found === undefined) return undefined;
  try {
    const bytes = await readFileLimited(found.path, MAX_MANIFEST_BYTES, `manifest ${digest}`);
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

interface ChildDescriptor {
  digest: string;
  mediaType?: string;
  size?: number;
}

/** Every object with a string `digest` (or `blobSum`) anywhere in the document: config, layers, manifests, subject… */
function childDescriptors(json: unknown): ChildDescriptor[] {
  const found: ChildDescriptor[] = [];
  const walk = (value: unknown, depth: number) => {
    if (depth > 32 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    // `blobSum`: schema 1 manifests name their layers so.
    const digest = typeof record.digest === 'string' ? record.digest : record.blobSum;
    if (typeof digest === 'string') {
      const child: ChildDescriptor = { digest };
      if (typeof record.mediaType === 'string') child.mediaType = record.mediaType;
      if (typeof record.size === 'number') child.size = record.size;
      found.push(child);
    }
    for (const [key, inner] of Object.entries(record)) {
      if (key !== 'annotations') walk(inner, depth + 1);
    }
  };
  walk(json, 0);
  return found;
}
