// The text of `oci:` and `oci-archive:` references: PATH[:REF] and, for oci: sources, PATH:@N.
// PATH ends at the first ":" (as containers/image on Unix), so REF itself may hold colons.
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { InvalidReferenceError } from '@skopeo-ts/core';

// image-spec's org.opencontainers.image.ref.name grammar, as containers/image checks it.
const REF_COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*';
const REF_NAME = new RegExp(`^${REF_COMPONENT}(?:/${REF_COMPONENT})*$`);

export interface ParsedLayoutReference {
  /** The path as typed (relative paths stay relative to the working directory). */
  path: string;
  /** The ref.name to look up or write; '' for none. */
  image: string;
  /** Position in index.json for `@N` (sources only); undefined when not given. */
  sourceIndex: number | undefined;
}

export function isValidRefName(name: string): boolean {
  return REF_NAME.test(name);
}

/**
 * Parses what follows `transport:`. `allowIndex` is false for oci-archive:, which (like skopeo)
 * has no `@N` form.
 */
export function parseLayoutReferenceText(
  transportName: string,
  rest: string,
  allowIndex: boolean,
): ParsedLayoutReference {
  const input = `${transportName}:${rest}`;
  const colon = rest.indexOf(':');
  const path = colon < 0 ? rest : rest.slice(0, colon);
  const image = colon < 0 ? '' : rest.slice(colon + 1);
  if (path === '') {
    throw new InvalidReferenceError(
      input,
      `the path before the first ":" is empty, e.g. ${transportName}:/srv/images:tag`,
    );
  }
  if (allowIndex && image.startsWith('@')) {
    const digits = image.slice(1);
    if (!/^\d+$/.test(digits)) {
      throw new InvalidReferenceError(
        input,
        `"@${digits}" is not a valid source index: use @N with N a non-negative integer (the N-th entry of index.json, from 0)`,
      );
    }
    const sourceIndex = Number.parseInt(digits, 10);
    if (!Number.isSafeInteger(sourceIndex)) {
      throw new InvalidReferenceError(input, `source index @${digits} is too large`);
    }
    return { path, image: '', sourceIndex };
  }
  if (image !== '' && !isValidRefName(image)) {
    throw new InvalidReferenceError(
      input,
      `"${image}" is not a valid image name: use components of letters and digits separated by one of - . _ : @ + or "--", joined by "/"` +
        (image.startsWith('@') ? ` (${transportName}: has no @N form)` : ''),
    );
  }
  return { path, image, sourceIndex: undefined };
}

/**
 * The absolute path without symlinks (containers/image's ResolvePathToFullyExplicit, used for
 * policy identities). Unlike it, a path whose parents do not exist yet is not an error: the
 * longest existing ancestor is resolved and the rest appended, since destinations create them.
 */
export function resolveExplicitPath(path: string): string {
  let existing = resolve(path);
  const missing: string[] = [];
  for (;;) {
    try {
      return normalize(join(realpathSync(existing), ...missing));
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** Policy namespaces: the resolved path, then each parent directory, never "/". */
export function pathNamespaces(resolved: string): string[] {
  const namespaces: string[] = [];
  let current = resolved;
  while (current !== '/' && current.includes('/')) {
    namespaces.push(current);
    current = current.slice(0, current.lastIndexOf('/'));
  }
  return namespaces;
}

/** containers/image's ValidateScope for oci: and oci-archive: policy scopes. */
export function validatePathScope(scope: string): void {
  if (!isAbsolute(scope)) throw new InvalidReferenceError(scope, 'a policy scope must be an absolute path');
  if (scope === '/') throw new InvalidReferenceError(scope, 'use the default scope "" instead of "/"');
  const cleaned = normalize(scope).replace(/\/+$/, '');
  if (cleaned !== scope) {
    throw new InvalidReferenceError(scope, `the path is not in canonical form; use ${cleaned}`);
  }
}
