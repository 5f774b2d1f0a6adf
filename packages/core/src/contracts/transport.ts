// Transport: one storage mechanism (`docker`, `oci`, `dir`, ...), parses its references.
import type { Context } from './context.js';
import type { ImageReference } from './reference.js';

export interface ListTagsResult {
  /** Repository name as printed by list-tags. */
  repository: string;
  tags: string[];
}

export interface Transport {
  /** The prefix before the first ":" in a reference, e.g. "oci". */
  readonly name: string;
  /** Parses the part after "name:". Throws an INVALID_REFERENCE error naming what is wrong. */
  parseReference(reference: string): ImageReference;
  /** Validates a policy.json scope for this transport. */
  validatePolicyScope?(scope: string): void;
  /** Tags of the repository a reference names (skopeo list-tags). */
  listTags?(reference: ImageReference, ctx: Context): Promise<ListTagsResult>;
  /** Repositories in a registry or store (catalog). */
  listRepositories?(location: string, ctx: Context): Promise<string[]>;
}
