// Finding the image a reference names, as containers/image resolves it: an ID prefix (when
// unambiguous), an ID, a normalized name, or a digest within the name's repository.
import { type DockerReference, ImageNotFoundError, parseDockerReference, SkopeoError } from '@skopeo-ts/core';
import type { ParsedStorageReference } from '../reference-text.js';
import type { ImageRecord, LayerRecord } from './records.js';

/** Every manifest digest an image answers to: `digest` and each `manifest…` big-data digest. */
export function imageDigests(image: ImageRecord): Set<string> {
  const digests = new Set<string>();
  if (image.digest) digests.add(image.digest);
  for (const [key, digest] of Object.entries(image['big-data-digests'] ?? {})) {
    if (key.startsWith('manifest')) digests.add(digest);
  }
  return digests;
}

function repositoryOf(name: string): string | undefined {
  try {
    return parseDockerReference(name).name;
  } catch {
    return undefined;
  }
}

function inRepository(image: ImageRecord, ref: DockerReference): boolean {
  return (image.names ?? []).some((name) => repositoryOf(name) === ref.name);
}

function byName(images: readonly ImageRecord[], ref: DockerReference): ImageRecord | undefined {
  if (ref.digest !== undefined) {
    const digest = ref.digest;
    return images.find((image) => inRepository(image, ref) && imageDigests(image).has(digest));
  }
  const wanted = ref.toString();
  return images.find((image) => (image.names ?? []).includes(wanted));
}

/** The image, or undefined when there is none (ambiguous prefixes are an error). */
export function findImage(
  images: readonly ImageRecord[],
  ref: ParsedStorageReference,
): ImageRecord | undefined {
  if (ref.idPrefix !== undefined) {
    const prefix = ref.idPrefix;
    const matches = images.filter((image) => image.id.startsWith(prefix));
    if (matches.length > 1) {
      throw new SkopeoError(
        'INVALID_ARGUMENT',
        `image ID prefix "${prefix}" is ambiguous: ${matches.length} images start with it`,
        {
          hint: 'give more characters of the ID',
        },
      );
    }
    if (matches[0] !== undefined) return matches[0];
  }
  if (ref.id !== undefined) {
    const image = images.find((candidate) => candidate.id === ref.id);
    if (image === undefined) return undefined;
    if (ref.name !== undefined && !inRepository(image, ref.name)) return undefined;
    return image;
  }
  return ref.name === undefined ? undefined : byName(images, ref.name);
}

export function requireImage(
  images: readonly ImageRecord[],
  ref: ParsedStorageReference,
  label: string,
): ImageRecord {
  const image = findImage(images, ref);
  if (image === undefined) throw new ImageNotFoundError(`no image ${label} in the store`);
  return image;
}

/** The image's layers, base first, following `parent` from its top layer. */
export function layerChain(
  records: readonly LayerRecord[],
  topLayer: string | undefined,
  label: string,
): LayerRecord[] {
  const byId = new Map(records.map((record) => [record.id, record]));
  const chain: LayerRecord[] = [];
  let id = topLayer;
  while (id !== undefined && id !== '') {
    const record = byId.get(id);
    if (record === undefined) {
      throw new SkopeoError('CORRUPT', `${label}: layer ${id} of the image is missing from layers.json`);
    }
    chain.push(record);
    if (chain.length > records.length)
      throw new SkopeoError('CORRUPT', `${label}: the layers' parents form a loop`);
    id = record.parent;
  }
  return chain.reverse();
}
