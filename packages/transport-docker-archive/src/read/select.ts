// Which image of manifest.json a reference means: by position, by tag, or the only one.
import {
  type DockerReference,
  ImageNotFoundError,
  InvalidReferenceError,
  isSkopeoError,
  parseDockerReference,
} from '@skopeo-ts/core';
import { corruptArchive } from '../errors.js';
import type { ManifestItem } from './manifest-json.js';

/** Which image of a multi-image archive: by 0-based index or by name; undefined = the only one. */
export type ArchiveImageSelector = { index: number } | { name: DockerReference } | undefined;

/** "@0 (docker.io/library/a:1, docker.io/library/a:latest), @1 (untagged)". */
export function describeImages(items: readonly ManifestItem[]): string {
  return items
    .map((item, index) => `@${index} (${item.repoTags.length === 0 ? 'untagged' : item.repoTags.join(', ')})`)
    .join(', ');
}

/** A stored tag, normalized so that "busybox:latest" and "docker.io/library/busybox:latest" match. */
function normalizedTag(tag: string, index: number, label: string): string {
  try {
    return parseDockerReference(tag).toString();
  } catch (error) {
    if (isSkopeoError(error, 'INVALID_REFERENCE')) {
      throw corruptArchive(
        label,
        `manifest.json item @${index} has an invalid tag ${JSON.stringify(tag)}`,
        error,
      );
    }
    throw error;
  }
}

export function chooseImage(
  items: readonly ManifestItem[],
  selector: ArchiveImageSelector,
  label: string,
): { item: ManifestItem; index: number } {
  if (selector !== undefined && 'index' in selector) {
    const item = items[selector.index];
    if (item === undefined) {
      throw new ImageNotFoundError(
        `${label}: there is no image @${selector.index}: the archive holds ${items.length} image(s)${items.length > 0 ? `: ${describeImages(items)}` : ''}`,
      );
    }
    return { item, index: selector.index };
  }
  if (selector !== undefined) {
    const wanted = selector.name.toString();
    for (const [index, item] of items.entries()) {
      if (item.repoTags.some((tag) => normalizedTag(tag, index, label) === wanted)) return { item, index };
    }
    throw new ImageNotFoundError(
      `${label}: no image tagged ${wanted} in the archive; it holds ${items.length === 0 ? 'no images' : describeImages(items)}`,
    );
  }
  const [only] = items;
  if (only === undefined) throw new ImageNotFoundError(`${label}: the archive holds no images`);
  if (items.length > 1) {
    throw new InvalidReferenceError(
      label,
      `the archive holds ${items.length} images, so the reference must say which: add :NAME:TAG or :@N (${describeImages(items)})`,
    );
  }
  return { item: only, index: 0 };
}
