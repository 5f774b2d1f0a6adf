// Transport: one storage mechanism (`docker`, `oci`, `dir`, ...), parses its references.
import type { Context } from './context.js';
import type { ImageReference } from './reference.js';

export interface ListTagsResult {
  /** Repository name as printed by list-tags. */
  repository: string;
  tags: string[];
}

/** Username and password for `login`. */
export interface LoginCredentials {
  username: string;
  password: string;
}

export interface LoginOptions {
  /** Check the credentials against the registry before storing them (default true). */
  verify?: boolean;
}

export interface LoginResult {
  /** Where the credentials went: the auth file, or `credential helper: NAME`. */
  authFile: string;
}

export interface LogoutOptions {
  /** Remove every registry's credentials (logout --all); `registry` is then undefined. */
  all: boolean;
}

export interface LogoutResult {
  /** False when there was nothing to remove ("not logged in"). */
  removed: boolean;
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
  /**
   * Stores credentials for a registry (`host[:port]`, or `host[:port]/namespace[/repo]`) in the
   * primary auth file (ctx.authFile, else the default), as skopeo login does: checked against
   * the registry first unless `options.verify` is false; the file is written with mode 0600.
   */
  login?(
    registry: string,
    credentials: LoginCredentials,
    ctx: Context,
    options?: LoginOptions,
  ): Promise<LoginResult>;
  /**
   * Removes stored credentials for a registry, or all of them with `options.all` (skopeo
   * logout, logout --all).
   */
  logout?(registry: string | undefined, ctx: Context, options: LogoutOptions): Promise<LogoutResult>;
  /** The username stored for a registry, undefined when not logged in (skopeo login --get-login). */
  getLogin?(registry: string, ctx: Context): Promise<string | undefined>;
}
