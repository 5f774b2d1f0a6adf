// Reading one image (or index) out of an OCI layout: the entry index.json names, its manifests
// (read whole, size-capped and verified against their digests) and its blobs (streamed).
import { createReadStream } from 'node:fs';
import {
  type BlobInfo,
  type BlobStream,
  type Digest,
  DigestMismatchError,
  type GetBlobOptions,
  guessManifestMediaType,
  type ImageReference,
  type ImageSource,
  isManifestMediaType,
  isParsedManifestList,
  listInstances,
  MAX_MANIFEST_BYTES,
  type ManifestBlob,
  manifestDigest,
  manifestMatchesDigest,
  noSignatures,
  type OciDescriptor,
  type OciIndex,
  parseManifest,
  type ReadOptions,
  type Signature,
  throwIfAborted,
} from '@skopeo-ts/core';
import { findBlob } from './layout/blobs.js';
import { corruptLayout } from './layout/errors.js';
import { type EntrySelector, readExistingIndex, refName, selectEntry } from './layout/index-json.js';
import type { BlobStore } from './layout/paths.js';
import { readFileLimited } from './layout/read-limited.js';

/** A layout on disk and how the user named it (the name appears in every error). */
export interface LayoutLocation {
  /** The layout directory (for oci-archive: the temp directory it was extracted to). */
  dir: string;
  store: BlobStore;
  /** e.g. `oci:/srv/layout:tag` or `oci-archive:/tmp/image.tar`. */
  label: string;
}

export class LayoutImageSource implements ImageSource {
  readonly threadSafe = true;
  private memberTypes: Promise<Map<string, string>> | undefined;

  private constructor(
    readonly reference: ImageReference,
    private readonly location: LayoutLocation,
    private readonly index: OciIndex,
    /** The index.json entry this source reads. */
    readonly descriptor: OciDescriptor,
  ) {}

  /** Opens the layout and resolves the entry; NOT_FOUND when the layout or the entry is missing. */
  static async open(
    reference: ImageReference,
    location: LayoutLocation,
    selector: EntrySelector,
  ): Promise<LayoutImageSource> {
    const index = await readExistingIndex(location.dir, location.label);
    const { descriptor } = selectEntry(index, selector, location.label);
    return new LayoutImageSource(reference, location, index, descriptor);
  }

  async getManifest(instanceDigest?: Digest, options?: ReadOptions): Promise<ManifestBlob> {
    throwIfAborted(options?.signal);
    if (instanceDigest === undefined) {
      const { descriptor } = this;
      const what = `the manifest of index.json's entry${nameSuffix(descriptor)}`;
      const bytes = await this.readManifest(descriptor.digest, what);
      return { bytes, mediaType: mediaTypeOf(descriptor.mediaType, bytes) };
    }
    const bytes = await this.readManifest(instanceDigest, 'the list member');
    const declared = (await this.listMemberTypes()).get(instanceDigest);
    return { bytes, mediaType: mediaTypeOf(declared, bytes) };
  }

  async getBlob(info: BlobInfo, options?: GetBlobOptions): Promise<BlobStream> {
    throwIfAborted(options?.signal);
    const found = await findBlob(this.location.store, info.digest);
    if (found === undefined) {
      const foreign = info.urls !== undefined && info.urls.length > 0;
      throw corruptLayout(
        `${this.location.label}: blob ${info.digest} is missing from the layout` +
          (foreign ? ' (a foreign layer: fetching it from its URLs is not supported)' : ''),
      );
    }
    const stream = createReadStream(found.path, {
      highWaterMark: 1024 * 1024,
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    return { stream, size: found.size };
  }

  /** OCI layouts carry no signatures in skopeo's sense (cosign's live as separate artifacts). */
  getSignatures(_instanceDigest?: Digest, _options?: ReadOptions): Promise<Signature[]> {
    return noSignatures();
  }

  async close(): Promise<void> {}

  /** Reads a manifest blob whole (≤ 4 MiB) and checks it has the digest it is stored under. */
  private async readManifest(digest: Digest, what: string): Promise<Uint8Array> {
    const { label, store } = this.location;
    const found = await findBlob(store, digest);
    if (found === undefined) {
      throw corruptLayout(`${label}: ${what} is blob ${digest}, which is missing from the layout`);
    }
    const bytes = await readFileLimited(found.path, MAX_MANIFEST_BYTES, `manifest ${found.path}`);
    if (!manifestMatchesDigest(bytes, digest)) {
      throw new DigestMismatchError(
        `manifest ${found.path}`,
        digest,
        manifestDigest(bytes, undefined, 'sha256'),
      );
    }
    return bytes;
  }

  /** Media types of list members, from the top-level list and index.json (as containers/image). */
  private listMemberTypes(): Promise<Map<string, string>> {
    this.memberTypes ??= (async () => {
      const types = new Map<string, string>();
      for (const entry of this.index.manifests) types.set(entry.digest, entry.mediaType);
      const top = await this.getManifest();
      const parsed = parseManifest(top.bytes, top.mediaType);
      if (isParsedManifestList(parsed)) {
        for (const instance of listInstances(parsed)) types.set(instance.digest, instance.mediaType);
      }
      return types;
    })();
    return this.memberTypes;
  }
}

function nameSuffix(descriptor: OciDescriptor): string {
  const name = refName(descriptor);
  return name === undefined ? '' : ` "${name}"`;
}

/** The declared type when it is a manifest type, else what the bytes say (containers/image guesses too). */
function mediaTypeOf(declared: string | undefined, bytes: Uint8Array): string {
  if (declared !== undefined && isManifestMediaType(declared)) return declared;
  return guessManifestMediaType(bytes) || (declared ?? '');
}
