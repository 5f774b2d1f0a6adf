// docker-archive: files: one image (ImageDestination) or several (MultiImageDestination) written
// to a temp file beside the target and published at commit.
import {
  type Context,
  type DockerReference,
  type ImageDestination,
  type ImageReference,
  type MultiImageDestination,
  type NextImageOptions,
  SkopeoError,
  withoutTagOrDigest,
  withTag,
  DEFAULT_DOCKER_TAG,
} from '@skopeo-ts/core';
import { archiveOptions } from '../options.js';
import { uniqueTags } from '../tags.js';
import { ArchiveWriter } from './archive-writer.js';
import { type FileTarget, openFileTarget } from './file-target.js';
import { ArchiveImageDestination } from './image-destination.js';
import { TarOutput } from './tar-output.js';

function abandoned(label: string): Error {
  return new Error(`${label}: the archive was not completed (closed without commit)`);
}

async function finishAndPublish(writer: ArchiveWriter, target: FileTarget): Promise<void> {
  await writer.finish();
  await target.publish();
}

export async function openSingleFileDestination(options: {
  path: string;
  reference: ImageReference;
  tags: readonly DockerReference[];
  ctx: Context;
}): Promise<ImageDestination> {
  const label = options.reference.toString();
  const target = await openFileTarget(options.path, label, archiveOptions(options.ctx));
  const writer = new ArchiveWriter(new TarOutput(target.output), options.ctx, label);
  return new ArchiveImageDestination(options.reference, writer, 'decompress', uniqueTags(options.tags), {
    onCommit: () => finishAndPublish(writer, target),
    onAbandon: async () => {
      await writer.abort(abandoned(label));
      await target.discard();
    },
  });
}

/** The tag an image is stored under: a name by digest alone is untagged (read back by @N). */
function storedTag(name: DockerReference | undefined): DockerReference[] {
  if (name === undefined || (name.tag === undefined && name.digest !== undefined)) return [];
  return [withTag(withoutTagOrDigest(name), name.tag ?? DEFAULT_DOCKER_TAG)];
}

/** Several images in one new archive: each nextImage() is committed in turn, then the whole. */
export class FileMultiImageDestination implements MultiImageDestination {
  private state: 'open' | 'committed' | 'closed' = 'open';

  private constructor(
    readonly reference: ImageReference,
    private readonly writer: ArchiveWriter,
    private readonly target: FileTarget,
  ) {}

  static async open(
    path: string,
    reference: ImageReference,
    ctx: Context,
  ): Promise<FileMultiImageDestination> {
    if ((ctx.dockerArchiveAdditionalTags ?? []).length > 0) {
      throw new SkopeoError(
        'INVALID_ARGUMENT',
        `${reference.toString()}: additional tags apply to a single image; with several images each is stored under its own name`,
      );
    }
    const target = await openFileTarget(path, reference.toString(), archiveOptions(ctx));
    const writer = new ArchiveWriter(new TarOutput(target.output), ctx, reference.toString());
    return new FileMultiImageDestination(reference, writer, target);
  }

  async nextImage(options: NextImageOptions): Promise<ImageDestination> {
    if (this.state !== 'open') {
      throw new SkopeoError('INTERNAL', `${this.reference.toString()}: nextImage() after ${this.state}`);
    }
    const tags = storedTag(options.dockerReference);
    return new ArchiveImageDestination(this.reference, this.writer, 'decompress', tags, {
      onCommit: async () => {},
      onAbandon: async () => {},
    });
  }

  async commit(): Promise<void> {
    if (this.state !== 'open')
      throw new SkopeoError('INTERNAL', `${this.reference.toString()}: commit() after ${this.state}`);
    if (this.writer.imageCount === 0) {
      throw new SkopeoError(
        'INVALID_ARGUMENT',
        `${this.reference.toString()}: no image was written, so there is no archive to create`,
      );
    }
    await finishAndPublish(this.writer, this.target);
    this.state = 'committed';
  }

  async close(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closed';
      await this.writer.abort(abandoned(this.reference.toString()));
      await this.target.discard();
    }
  }
}
