// The public API the docker-daemon transport builds on: a source over a docker save archive on
// disk, and a destination that streams one image as a docker save tar into any writable.
import type {
  Context,
  DockerReference,
  ImageDestination,
  ImageReference,
  ImageSource,
} from '@skopeo-ts/core';
import { DockerArchive } from './read/archive.js';
import { type ArchiveImageSelector, chooseImage } from './read/select.js';
import { ArchiveImageSource } from './read/source.js';
import { uniqueTags } from './tags.js';
import { ArchiveWriter } from './write/archive-writer.js';
import { ArchiveImageDestination } from './write/image-destination.js';
import { TarOutput } from './write/tar-output.js';

export type { ArchiveImageSelector } from './read/select.js';

/**
 * An ImageSource over a docker save archive on disk (any layout docker or skopeo write, gzip or
 * not). `reference` is what the source reports as its reference; errors name it.
 */
export async function openArchiveSource(options: {
  path: string;
  selector: ArchiveImageSelector;
  reference: ImageReference;
  ctx: Context;
}): Promise<ImageSource> {
  const label = options.reference.toString();
  const archive = await DockerArchive.open(options.path, label, options.ctx);
  try {
    const { item } = chooseImage(archive.items, options.selector, label);
    return await ArchiveImageSource.open({
      reference: options.reference,
      archive,
      item,
      ownsArchive: true,
      signal: options.ctx.signal,
    });
  } catch (error) {
    await archive.close();
    throw error;
  }
}

/**
 * An ImageDestination writing one image as a docker save tar to `output`, ended at commit(); on
 * close() without commit the output is destroyed with an error so its reader sees a failure.
 * `layerCompression`: 'decompress' (docker-archive files) or 'preserve' (the daemon: the engine
 * decompresses gzip layers itself). `tags`: the names stored in manifest.json and repositories.
 */
export async function createArchiveStreamDestination(options: {
  output: NodeJS.WritableStream;
  reference: ImageReference;
  tags: readonly DockerReference[];
  layerCompression: 'decompress' | 'preserve';
  ctx: Context;
}): Promise<ImageDestination> {
  const label = options.reference.toString();
  const writer = new ArchiveWriter(new TarOutput(options.output), options.ctx, label);
  return new ArchiveImageDestination(
    options.reference,
    writer,
    options.layerCompression,
    uniqueTags(options.tags),
    {
      onCommit: () => writer.finish(),
      onAbandon: () =>
        writer.abort(new Error(`${label}: the image was not completed (closed without commit)`)),
    },
  );
}
