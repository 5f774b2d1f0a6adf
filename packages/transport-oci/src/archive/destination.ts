// oci-archive: destinations: the image is staged as a layout in a temp directory and, at commit,
// streamed as a tar to a temp file beside the target that then replaces it. Like skopeo, the
// archive holds only this image (an existing archive at the path is replaced, not added to).
import type { Readable } from 'node:stream';
import type {
  BlobInfo,
  CommitOptions,
  Context,
  ImageDestination,
  ImageReference,
  LayerCompression,
  PutBlobInfo,
  PutBlobOptions,
  PutManifestOptions,
  ReusedBlob,
  Signature,
  TryReusingBlobOptions,
} from '@skopeo-ts/core';
import { LayoutImageDestination } from '../destination.js';
import { makeTempLayoutDir, removeTempLayoutDir } from './temp-layout.js';
import { packLayout } from './pack.js';

export class ArchiveImageDestination implements ImageDestination {
  readonly supportedManifestTypes: readonly string[];
  readonly desiredLayerCompression: LayerCompression;
  readonly acceptsForeignLayers: boolean;
  readonly supportsSignatures = false;
  readonly threadSafe = true;
  readonly supportsManifestLists = true;

  private constructor(
    readonly reference: ImageReference,
    private readonly staged: LayoutImageDestination,
    private readonly tempDir: string,
    private readonly archive: string,
    private readonly ctx: Context,
  ) {
    this.supportedManifestTypes = staged.supportedManifestTypes;
    this.desiredLayerCompression = staged.desiredLayerCompression;
    this.acceptsForeignLayers = staged.acceptsForeignLayers;
  }

  static async open(
    reference: ImageReference,
    archive: string,
    image: string,
    ctx: Context,
  ): Promise<ArchiveImageDestination> {
    const tempDir = await makeTempLayoutDir(ctx);
    try {
      // The blobs must end up inside the tar: a shared blob directory does not apply here.
      const location = {
        dir: tempDir,
        store: { layout: tempDir, shared: undefined },
        label: reference.toString(),
      };
      const staged = await LayoutImageDestination.open(reference, location, { image, durable: false }, ctx);
      return new ArchiveImageDestination(reference, staged, tempDir, archive, ctx);
    } catch (error) {
      await removeTempLayoutDir(tempDir);
      throw error;
    }
  }

  putBlob(stream: Readable, info: PutBlobInfo, options: PutBlobOptions): Promise<BlobInfo> {
    return this.staged.putBlob(stream, info, options);
  }

  tryReusingBlob(info: BlobInfo, options: TryReusingBlobOptions): Promise<ReusedBlob | undefined> {
    return this.staged.tryReusingBlob(info, options);
  }

  putManifest(bytes: Uint8Array, options?: PutManifestOptions): Promise<void> {
    return this.staged.putManifest(bytes, options);
  }

  putSignatures(signatures: Signature[], options?: PutManifestOptions): Promise<void> {
    return this.staged.putSignatures(signatures, options);
  }

  async commit(options: CommitOptions = {}): Promise<void> {
    await this.staged.commit(options);
    await packLayout(this.tempDir, this.archive, options.signal ?? this.ctx.signal);
  }

  async close(): Promise<void> {
    await this.staged.close();
    await removeTempLayoutDir(this.tempDir);
  }
}
