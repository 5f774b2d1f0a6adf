// docker-archive: references. Parsing is in reference-text.ts; the transport object is given in
// (not imported) so references and the transport do not import each other.
import {
  type Context,
  deleteNotSupported,
  type DockerReference,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  InvalidReferenceError,
  type MultiImageDestination,
  type Transport,
} from '@skopeo-ts/core';
import { openArchiveSource } from './api.js';
import type { ArchiveImageSelector } from './read/select.js';
import type { ParsedArchiveReference } from './reference-text.js';
import { additionalTags } from './tags.js';
import { FileMultiImageDestination, openSingleFileDestination } from './write/file-destination.js';

export class DockerArchiveReference implements ImageReference {
  readonly path: string;
  readonly dockerReference: DockerReference | undefined;
  /** `@N` (sources only). */
  readonly sourceIndex: number | undefined;
  readonly delete: (ctx: Context) => Promise<void>;

  constructor(
    readonly transport: Transport,
    parsed: ParsedArchiveReference,
  ) {
    this.path = parsed.path;
    this.dockerReference = parsed.dockerReference;
    this.sourceIndex = parsed.sourceIndex;
    this.delete = deleteNotSupported(transport.name);
  }

  get withinTransport(): string {
    if (this.sourceIndex !== undefined) return `${this.path}:@${this.sourceIndex}`;
    return this.dockerReference === undefined ? this.path : `${this.path}:${this.dockerReference.toString()}`;
  }

  toString(): string {
    return `${this.transport.name}:${this.withinTransport}`;
  }

  // As in skopeo, archives have no policy scopes: only the transport's default applies.
  policyIdentity(): string {
    return '';
  }

  policyNamespaces(): string[] {
    return [];
  }

  get selector(): ArchiveImageSelector {
    if (this.sourceIndex !== undefined) return { index: this.sourceIndex };
    return this.dockerReference === undefined ? undefined : { name: this.dockerReference };
  }

  newSource(ctx: Context): Promise<ImageSource> {
    return openArchiveSource({ path: this.path, selector: this.selector, reference: this, ctx });
  }

  private refuseIndex(): void {
    if (this.sourceIndex !== undefined) {
      throw new InvalidReferenceError(
        this.toString(),
        `@${this.sourceIndex} selects an image of an existing archive and cannot be written to; name the image as ${this.transport.name}:${this.path}:NAME:TAG, or give the path alone`,
      );
    }
  }

  async newDestination(ctx: Context): Promise<ImageDestination> {
    this.refuseIndex();
    const tags = [...(this.dockerReference ? [this.dockerReference] : []), ...additionalTags(ctx)];
    return openSingleFileDestination({ path: this.path, reference: this, tags, ctx });
  }

  /** Several images in one new archive, each under the name given to nextImage(). */
  async newMultiImageDestination(ctx: Context): Promise<MultiImageDestination> {
    this.refuseIndex();
    if (this.dockerReference !== undefined) {
      throw new InvalidReferenceError(
        this.toString(),
        `an archive of several images takes each image's own name; give the path alone (${this.transport.name}:${this.path})`,
      );
    }
    return FileMultiImageDestination.open(this.path, this, ctx);
  }
}
