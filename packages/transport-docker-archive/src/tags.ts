// The names an archive image is stored under: the reference's own tag and the extra ones asked
// for (skopeo's --additional-tag), each a tagged docker reference.
import {
  type Context,
  type DockerReference,
  isSkopeoError,
  parseDockerReference,
  SkopeoError,
} from '@skopeo-ts/core';

export function additionalTags(ctx: Context): DockerReference[] {
  return (ctx.dockerArchiveAdditionalTags ?? []).map((text) => {
    let parsed: DockerReference;
    try {
      parsed = parseDockerReference(text);
    } catch (error) {
      if (isSkopeoError(error, 'INVALID_REFERENCE')) {
        throw new SkopeoError('INVALID_ARGUMENT', `invalid additional tag "${text}": ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
    if (parsed.tag === undefined || parsed.digest !== undefined) {
      throw new SkopeoError(
        'INVALID_ARGUMENT',
        `additional tag "${text}" must be a tagged reference (NAME:TAG) without a digest`,
      );
    }
    return parsed;
  });
}

/** Distinct by their full form, first occurrence kept. */
export function uniqueTags(tags: readonly DockerReference[]): DockerReference[] {
  const byName = new Map<string, DockerReference>();
  for (const tag of tags) if (!byName.has(tag.toString())) byName.set(tag.toString(), tag);
  return [...byName.values()];
}
