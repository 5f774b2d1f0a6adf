// ImageReference objects for oci: and oci-archive:. Parsing of the text is in reference-text.ts;
// the transport object is given in (not imported) so references and transports do not import
// each other.
import {
  type Context,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  InvalidReferenceError,
  type Transport,
  UnsupportedError,
} from '@skopeo-ts/core';
import { ArchiveImageDestination } from './archive/destination.js';
import { ArchiveImageSource } from './archive/source.js';
import { deleteFromLayout } from './delete.js';
import { LayoutImageDestination } from './destination.js';
import type { EntrySelector } from './layout/index-json.js';
import { type ParsedLayoutReference, pathNamespaces, resolveExplicitPath } from './reference-text.js';
import { type LayoutLocation, LayoutImageSource } from './source.js';

abstract class PathReference implements ImageReference {
  readonly dockerReference = undefined;
  /** The path as the user gave it. */
  readonly path: string;
  /** The ref.name ('' for none). */
  readonly image: string;
  private resolved: string | undefined;

  constructor(
    readonly transport: Transport,
    parsed: ParsedLayoutReference,
  ) {
    this.path = parsed.path;
    this.image = parsed.image;
  }

  get withinTransport(): string {
    return this.image === '' ? this.path : `${this.path}:${this.image}`;
  }

  toString(): string {
    return `${this.transport.name}:${this.withinTransport}`;
  }

  /** The absolute path without symlinks: the image's identity for signature policy. */
  get resolvedPath(): string {
    this.resolved ??= resolveExplicitPath(this.path);
    return this.resolved;
  }

  // The ref.name is not part of the identity: "PATH:NAME" and "PATH" may be the same image.
  policyIdentity(): string {
    return this.resolvedPath;
  }

  policyNamespaces(): string[] {
    return pathNamespaces(this.resolvedPath);
  }

  protected selector(): EntrySelector {
    return { image: this.image, sourceIndex: undefined };
  }

  abstract newSource(ctx: Context): Promise<ImageSource>;
  abstract newDestination(ctx: Context): Promise<ImageDestination>;
  abstract delete(ctx: Context): Promise<void>;
}

/** `oci:PATH[:NAME]` or `oci:PATH:@N`. */
export class OciLayoutReference extends PathReference {
  /** `@N`: the N-th entry of index.json (sources and delete only). */
  readonly sourceIndex: number | undefined;

  constructor(transport: Transport, parsed: ParsedLayoutReference) {
    super(transport, parsed);
    this.sourceIndex = parsed.sourceIndex;
  }

  override get withinTransport(): string {
    return this.sourceIndex === undefined ? super.withinTransport : `${this.path}:@${this.sourceIndex}`;
  }

  protected override selector(): EntrySelector {
    return { image: this.image, sourceIndex: this.sourceIndex };
  }

  location(ctx: Context): LayoutLocation {
    return {
      dir: this.path,
      store: { layout: this.path, shared: ctx.ociSharedBlobDir },
      label: this.toString(),
    };
  }

  newSource(ctx: Context): Promise<ImageSource> {
    return LayoutImageSource.open(this, this.location(ctx), this.selector());
  }

  async newDestination(ctx: Context): Promise<ImageDestination> {
    if (this.sourceIndex !== undefined) {
      throw new InvalidReferenceError(
        this.toString(),
        `@${this.sourceIndex} selects an existing entry and cannot be written to; name the image as ${this.transport.name}:${this.path}:NAME`,
      );
    }
    return LayoutImageDestination.open(this, this.location(ctx), { image: this.image }, ctx);
  }

  async delete(ctx: Context): Promise<void> {
    await deleteFromLayout(this.location(ctx), this.selector(), ctx);
  }
}

/** `oci-archive:PATH[:NAME]`: a layout in a tar file. */
export class OciArchiveReference extends PathReference {
  newSource(ctx: Context): Promise<ImageSource> {
    return ArchiveImageSource.open(this, this.path, this.selector(), ctx);
  }

  newDestination(ctx: Context): Promise<ImageDestination> {
    return ArchiveImageDestination.open(this, this.path, this.image, ctx);
  }

  async delete(_ctx: Context): Promise<void> {
    throw new UnsupportedError(`deleting images is not supported by the ${this.transport.name}: transport`, {
      hint: 'unpack the archive with oci: tools, or write a new archive without the image',
    });
  }
}
