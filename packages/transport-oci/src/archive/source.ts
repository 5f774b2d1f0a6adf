// oci-archive: sources: the tar is unpacked (streamed, checked) into a temp directory and read as
// a layout; the directory is removed at close().
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BlobInfo,
  type BlobStream,
  type Context,
  type Digest,
  type GetBlobOptions,
  type ImageReference,
  ImageNotFoundError,
  type ImageSource,
  type ManifestBlob,
  type ReadOptions,
  type Signature,
} from '@skopeo-ts/core';
import type { EntrySelector } from '../layout/index-json.js';
import { INDEX_FILE } from '../layout/paths.js';
import { LayoutImageSource } from '../source.js';
import { extractArchive } from './extract.js';
import { makeTempLayoutDir, removeTempLayoutDir } from './temp-layout.js';

export class ArchiveImageSource implements ImageSource {
  readonly threadSafe = true;

  private constructor(
    readonly reference: ImageReference,
    private readonly layout: LayoutImageSource,
    private readonly tempDir: string,
  ) {}

  static async open(
    reference: ImageReference,
    archive: string,
    selector: EntrySelector,
    ctx: Context,
  ): Promise<ArchiveImageSource> {
    const label = reference.toString();
    const tempDir = await makeTempLayoutDir(ctx);
    try {
      await extractArchive(archive, tempDir, label, ctx.signal);
      if (!existsSync(join(tempDir, INDEX_FILE))) {
        throw new ImageNotFoundError(
          `${label}: ${archive} is not an OCI archive (it holds no ${INDEX_FILE})`,
        );
      }
      const location = { dir: tempDir, store: { layout: tempDir, shared: undefined }, label };
      const layout = await LayoutImageSource.open(reference, location, selector);
      return new ArchiveImageSource(reference, layout, tempDir);
    } catch (error) {
      await removeTempLayoutDir(tempDir);
      throw error;
    }
  }

  getManifest(instanceDigest?: Digest, options?: ReadOptions): Promise<ManifestBlob> {
    return this.layout.getManifest(instanceDigest, options);
  }

  getBlob(info: BlobInfo, options?: GetBlobOptions): Promise<BlobStream> {
    return this.layout.getBlob(info, options);
  }

  getSignatures(instanceDigest?: Digest, options?: ReadOptions): Promise<Signature[]> {
    return this.layout.getSignatures(instanceDigest, options);
  }

  async close(): Promise<void> {
    await this.layout.close();
    await removeTempLayoutDir(this.tempDir);
  }
}
