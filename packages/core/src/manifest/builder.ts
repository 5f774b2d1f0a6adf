// ManifestBuilder: several edits to one manifest, serialized once at the end and only when the
// result differs from the original (which then keeps its bytes and digest).
import type { BlobInfo } from '../contracts/types.js';
import { type ConvertOptions, convertWritable } from './convert.js';
import {
  editConfig,
  editFilterInstances,
  editInstances,
  editLayers,
  type ListInstanceUpdate,
} from './edit.js';
import { dockerListInstances, type ListInstance, ociIndexInstances } from './list.js';
import type { ParsedManifest } from './parse.js';
import { keepOrBuild, type WritableManifest, writableOf } from './serialize.js';

export class ManifestBuilder {
  readonly original: ParsedManifest;
  /** undefined until the first edit (so an unedited schema 1 manifest can still be built). */
  private working: WritableManifest | undefined;

  constructor(original: ParsedManifest) {
    this.original = original;
  }

  private current(): WritableManifest {
    this.working ??= writableOf(this.original);
    return this.working;
  }

  /** Replaces the layer descriptors (see editLayers). */
  layers(infos: readonly BlobInfo[]): this {
    this.working = editLayers(this.current(), infos);
    return this;
  }

  /** Replaces the config descriptor. */
  config(info: BlobInfo): this {
    this.working = editConfig(this.current(), info);
    return this;
  }

  /** Converts to another manifest format (see convertManifest). */
  convertTo(mediaType: string, options?: ConvertOptions): this {
    this.working = convertWritable(this.current(), mediaType, options);
    return this;
  }

  /** Updates a list's entries in order (see editInstances). */
  instances(updates: readonly ListInstanceUpdate[]): this {
    this.working = editInstances(this.current(), updates);
    return this;
  }

  /** Keeps only some of a list's entries. */
  filterInstances(keep: (instance: ListInstance, index: number) => boolean): this {
    const current = this.current();
    const instances =
      current.kind === 'oci-index'
        ? ociIndexInstances(current.manifest)
        : current.kind === 'docker-list'
          ? dockerListInstances(current.manifest)
          : [];
    this.working = editFilterInstances(current, keep, instances);
    return this;
  }

  /** The manifest: the original object (same bytes) when the edits changed nothing. */
  build(): ParsedManifest {
    return this.working === undefined ? this.original : keepOrBuild(this.original, this.working);
  }
}

export function editManifest(parsed: ParsedManifest): ManifestBuilder {
  return new ManifestBuilder(parsed);
}
