// index.json: reading it (with errors that name the file), choosing the entry a reference means,
// updating it as skopeo does, and replacing it atomically.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  InvalidReferenceError,
  IoError,
  isSkopeoError,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  type OciDescriptor,
  type OciIndex,
  parseManifest,
  SkopeoError,
  serializeOciIndex,
  UnsupportedError,
} from '@skopeo-ts/core';
import { io, isNotFound, layoutNotFound } from './errors.js';
import { readFileLimited } from './read-limited.js';
import { INDEX_FILE, REF_NAME_ANNOTATION } from './paths.js';
import { syncDirectory, writeTempFile } from './temp-files.js';

/** How a reference picks an entry: by ref.name, by position (`@N`), or the only one. */
export interface EntrySelector {
  image: string;
  sourceIndex: number | undefined;
}

export interface SelectedEntry {
  descriptor: OciDescriptor;
  /** Position in index.json's `manifests`. */
  position: number;
}

/** index.json is parsed by core's OCI index reader, which shares the 4 MiB manifest limit. */
const INDEX_LIMIT = 4 * 1024 * 1024;

/** Entry types a named reference may resolve to (containers/image's getManifestDescriptor). */
const IMAGE_ENTRY_TYPES = [
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_DOCKER_V2_LIST,
];

export function indexPath(layoutDir: string): string {
  return join(layoutDir, INDEX_FILE);
}

/** Parses index.json bytes; `path` names the file in errors. */
export function parseIndexBytes(bytes: Uint8Array, path: string): OciIndex {
  try {
    const parsed = parseManifest(bytes, MEDIA_TYPE_OCI_INDEX);
    if (parsed.kind !== 'oci-index') throw new Error('not an OCI index');
    return parsed.manifest;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^invalid manifest: /, '') : String(error);
    throw new SkopeoError('INVALID_MANIFEST', `${path} is not a valid OCI image index: ${reason}`, {
      cause: error,
      hint: 'the layout is damaged; restore index.json or copy the images into a new layout',
    });
  }
}

/** Reads index.json; undefined when the file does not exist. */
export async function readIndexFile(layoutDir: string): Promise<OciIndex | undefined> {
  const path = indexPath(layoutDir);
  let bytes: Uint8Array;
  try {
    bytes = await readFileLimited(path, INDEX_LIMIT, `${path}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (isSkopeoError(error)) throw error;
    throw new IoError('reading', path, error);
  }
  return parseIndexBytes(bytes, path);
}

/** Reads index.json of a layout that must exist; `label` names the layout to the user. */
export async function readExistingIndex(layoutDir: string, label: string): Promise<OciIndex> {
  const index = await readIndexFile(layoutDir);
  if (index === undefined) {
    throw layoutNotFound(`${label}: no OCI layout there (${indexPath(layoutDir)} does not exist)`);
  }
  return index;
}

export function refName(descriptor: OciDescriptor): string | undefined {
  const name = descriptor.annotations?.[REF_NAME_ANNOTATION];
  return name === undefined || name === '' ? undefined : name;
}

/** "latest, v1 and 2 unnamed entries" — what a layout holds, for error messages. */
export function describeEntries(index: OciIndex): string {
  if (index.manifests.length === 0) return 'it holds no image';
  const names = index.manifests.map(refName).filter((name): name is string => name !== undefined);
  const unnamed = index.manifests.length - names.length;
  const parts = names.map((name) => JSON.stringify(name));
  if (unnamed > 0) parts.push(`${unnamed} unnamed ${unnamed === 1 ? 'entry' : 'entries'}`);
  return `it holds ${parts.join(', ')}`;
}

/**
 * The entry a reference names: `@N` → the N-th, a name → the first entry with that ref.name
 * (an image type), nothing → the only entry.
 */
export function selectEntry(index: OciIndex, selector: EntrySelector, label: string): SelectedEntry {
  const { image, sourceIndex } = selector;
  if (sourceIndex !== undefined) {
    const descriptor = index.manifests[sourceIndex];
    if (descriptor === undefined) {
      throw layoutNotFound(
        `${label}: index.json has ${index.manifests.length} entries, so there is no @${sourceIndex} (counted from 0)`,
      );
    }
    return { descriptor, position: sourceIndex };
  }
  if (image !== '') {
    const otherTypes: string[] = [];
    for (const [position, descriptor] of index.manifests.entries()) {
      if (refName(descriptor) !== image) continue;
      if (IMAGE_ENTRY_TYPES.includes(descriptor.mediaType)) return { descriptor, position };
      otherTypes.push(descriptor.mediaType);
    }
    if (otherTypes.length > 0) {
      throw new UnsupportedError(
        `${label}: "${image}" names entries of unsupported media types ${otherTypes.map((t) => JSON.stringify(t)).join(', ')}`,
      );
    }
    throw layoutNotFound(`${label}: no image named "${image}" in the layout (${describeEntries(index)})`);
  }
  const only = index.manifests[0];
  if (only === undefined) throw layoutNotFound(`${label}: the layout holds no image`);
  if (index.manifests.length > 1) {
    throw new InvalidReferenceError(
      label,
      `the layout holds ${index.manifests.length} images (${describeEntries(index).replace(/^it holds /, '')}); ` +
        'choose one as PATH:NAME, or PATH:@N for the N-th entry of index.json',
    );
  }
  return { descriptor: only, position: 0 };
}

/**
 * Adds a committed image's entry as containers/image's addManifest: a ref.name already in use is
 * taken off the older entry (which stays, unnamed); an unnamed entry of the same digest is
 * replaced; otherwise the entry is appended.
 */
export function withEntry(index: OciIndex, entry: OciDescriptor): OciIndex {
  const manifests = index.manifests.map((descriptor) => ({ ...descriptor }));
  const name = refName(entry);
  if (name !== undefined) {
    const holder = manifests.find((descriptor) => refName(descriptor) === name);
    if (holder?.annotations !== undefined) {
      const { [REF_NAME_ANNOTATION]: _removed, ...rest } = holder.annotations;
      if (Object.keys(rest).length > 0) holder.annotations = rest;
      else delete holder.annotations;
    }
  }
  const same = manifests.findIndex(
    (descriptor) => descriptor.digest === entry.digest && refName(descriptor) === undefined,
  );
  if (same >= 0) manifests[same] = entry;
  else manifests.push(entry);
  return { ...index, manifests };
}

export function withoutEntry(index: OciIndex, position: number): OciIndex {
  return { ...index, manifests: index.manifests.filter((_, i) => i !== position) };
}

/** An empty index, as a new layout starts. */
export function emptyIndex(): OciIndex {
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [] };
}

/** Replaces index.json atomically (temp file, fsync, rename): readers see the old or the new. */
export async function writeIndexFile(layoutDir: string, index: OciIndex): Promise<void> {
  const target = indexPath(layoutDir);
  const temp = await writeTempFile(layoutDir, serializeOciIndex(index));
  try {
    await io('replacing', target, () => rename(temp, target));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(layoutDir);
}
