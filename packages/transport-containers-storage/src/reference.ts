// `containers-storage:` references: which store, and which image in it.
import type {
  Context,
  DockerReference,
  ImageDestination,
  ImageReference,
  ImageSource,
  Transport,
} from '@skopeo-ts/core';
import { deleteImage } from './delete.js';
import { StorageImageDestination } from './destination.js';
import { formatReferenceText, type ParsedStorageReference } from './reference-text.js';
import { StorageImageSource } from './source.js';
import { resolveStoreLocation, Store } from './store/store.js';

export class StorageReference implements ImageReference {
  constructor(
    readonly transport: Transport,
    readonly parsed: ParsedStorageReference,
  ) {}

  get withinTransport(): string {
    return formatReferenceText(this.parsed);
  }

  get dockerReference(): DockerReference | undefined {
    return this.parsed.name;
  }

  toString(): string {
    return `${this.transport.name}:${this.withinTransport}`;
  }

  policyIdentity(): string {
    return this.parsed.name?.toString() ?? '';
  }

  policyNamespaces(): string[] {
    const name = this.parsed.name;
    if (name === undefined) return [];
    const parts = name.name.split('/');
    const scopes: string[] = [];
    for (let i = parts.length; i > 0; i--) scopes.push(parts.slice(0, i).join('/'));
    return scopes;
  }

  async openStore(ctx: Context): Promise<Store> {
    return new Store(await resolveStoreLocation(this.parsed.store, ctx));
  }

  async newSource(ctx: Context): Promise<ImageSource> {
    return StorageImageSource.open(this, await this.openStore(ctx), this.parsed);
  }

  async newDestination(ctx: Context): Promise<ImageDestination> {
    const name = this.parsed.name === undefined ? undefined : this.parsed.name.toString();
    return StorageImageDestination.open(this, await this.openStore(ctx), name, ctx);
  }

  async delete(ctx: Context): Promise<void> {
    await deleteImage(await this.openStore(ctx), this.parsed, this.toString(), ctx.signal);
  }
}
