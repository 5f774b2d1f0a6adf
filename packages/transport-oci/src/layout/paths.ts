// Where things live in an OCI image layout (image-spec image-layout.md), and the names of the
// files skopeo-ts adds next to them while it works (temp files, the index lock).
import { join } from 'node:path';
import { type Digest, digestAlgorithm, digestHex } from '@skopeo-ts/core';

export const OCI_LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const BLOBS_DIR = 'blobs';
export const LOCK_FILE = 'index.json.lock';
export const IMAGE_LAYOUT_VERSION = '1.0.0';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Prefix of every temp file skopeo-ts writes into a layout (or a shared blob dir). */
export const TEMP_PREFIX = '.skopeo-ts-tmp-';
/** Temp files skopeo/containers-image leaves behind when killed (`oci-put-blob123456`). */
export const SKOPEO_TEMP_PREFIX = 'oci-put-blob';

/** Where a layout keeps its blobs; with a shared blob directory, blobs live there instead. */
export interface BlobStore {
  /** The layout directory. */
  layout: string;
  /** `--shared-blob-dir`: a directory holding `<algorithm>/<hex>` for several layouts. */
  shared: string | undefined;
}

/** The directory holding `<algorithm>/<hex>` files for a store. */
export function blobRoot(store: BlobStore): string {
  return store.shared ?? join(store.layout, BLOBS_DIR);
}

export function blobPath(root: string, digest: Digest): string {
  return join(root, digestAlgorithm(digest), digestHex(digest));
}

/** Temp files go next to the blob root, on the same file system, so rename() can publish them. */
export function tempDirFor(store: BlobStore): string {
  return store.shared ?? store.layout;
}
