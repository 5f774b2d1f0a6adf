// list-tags docker-archive:PATH, as skopeo: every image's names in manifest.json order, an
// untagged image as "@N", and no repository name (skopeo prints none for archives). Like skopeo,
// a :NAME:TAG or :@N suffix does not narrow the listing: the archive is listed whole.
import type { Context, ImageReference, ListTagsResult } from '@skopeo-ts/core';
import { DockerArchive } from './read/archive.js';
import type { DockerArchiveReference } from './reference.js';

export async function listArchiveTags(reference: ImageReference, ctx: Context): Promise<ListTagsResult> {
  const { path } = reference as DockerArchiveReference;
  const archive = await DockerArchive.open(path, reference.toString(), ctx);
  try {
    const tags = archive.items.flatMap((item, index) =>
      item.repoTags.length === 0 ? [`@${index}`] : item.repoTags,
    );
    return { repository: '', tags };
  } finally {
    await archive.close();
  }
}
