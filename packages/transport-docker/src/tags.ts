// Tag lists and the catalog, page by page: each page may name the next in a `Link: <…>; rel="next"`
// header, which is followed only on the registry's own origin.
import {
  type Context,
  type DockerReference,
  InvalidReferenceError,
  isValidDockerTag,
  type ListTagsResult,
  parseDockerReference,
  SkopeoError,
} from '@skopeo-ts/core';
import { type AuthScope, CATALOG_SCOPE, pullScope } from './client/auth.js';
import type { RegistryClient } from './client/client.js';
import { contentLength, headerValue, MAX_LIST_BYTES, readLimited } from './client/limits.js';
import { CATALOG_PATH, tagsPath } from './paths.js';
import type { DockerRuntime } from './runtime.js';

/** Pages followed at most: a registry whose links go in circles must not keep us forever. */
const MAX_PAGES = 10_000;

export interface PageOptions {
  /** Entries per page to ask for (`?n=`); default: the registry's. */
  pageSize?: number;
}

/** The URL of the `rel="next"` link in a Link header, resolved against the page's URL. */
export function nextLink(header: string | undefined, pageUrl: URL): URL | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match === null) continue;
    const params = match[2] ?? '';
    if (!/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(params)) continue;
    try {
      return new URL(match[1] ?? '', pageUrl);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function readPages(
  client: RegistryClient,
  firstPath: string,
  key: 'tags' | 'repositories',
  scopes: readonly AuthScope[],
  what: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const base = await client.baseUrl(signal);
  const entries: string[] = [];
  const seen = new Set<string>();
  let next: URL | undefined = new URL(firstPath, base);
  for (let page = 0; next !== undefined; page++) {
    if (page >= MAX_PAGES || seen.has(next.href)) {
      throw new SkopeoError('IO', `${what}: the registry's pagination links go in circles`);
    }
    seen.add(next.href);
    const response = await client.request({
      method: 'GET',
      path: next,
      headers: { accept: 'application/json' },
      scopes,
      what,
      expect: [200],
      signal,
    });
    const bytes = await readLimited(
      response.body,
      MAX_LIST_BYTES,
      `a page of ${what}`,
      contentLength(response.headers),
    );
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new SkopeoError('IO', `${what}: the registry answered something that is not JSON`);
    }
    const list = (json as Record<string, unknown> | null)?.[key];
    if (list !== null && list !== undefined && !Array.isArray(list)) {
      throw new SkopeoError('IO', `${what}: "${key}" in the registry's answer is not a list`);
    }
    for (const entry of list ?? []) if (typeof entry === 'string') entries.push(entry);
    const link = nextLink(headerValue(response.headers, 'link'), response.url);
    if (link !== undefined && link.origin !== base.origin) {
      throw new SkopeoError(
        'IO',
        `${what}: refusing a pagination link to ${link.origin}, not the registry ${base.origin}`,
      );
    }
    next = link;
  }
  return entries;
}

function withPageSize(path: string, options: PageOptions): string {
  return options.pageSize === undefined ? path : `${path}?n=${options.pageSize}`;
}

/** Tags of the repository `ref` names (its tag or digest is ignored); junk entries are skipped. */
export async function listTags(
  ref: DockerReference,
  ctx: Context,
  runtime: DockerRuntime,
  options: PageOptions = {},
): Promise<ListTagsResult> {
  const settings = runtime.settings(ctx);
  const endpoint = await settings.endpoints.primaryEndpoint(ref);
  const client = runtime.client(ctx, settings, endpoint);
  try {
    const all = await readPages(
      client,
      withPageSize(tagsPath(endpoint.repository), options),
      'tags',
      [pullScope(endpoint.repository)],
      `listing tags of ${client.registry}/${endpoint.repository}`,
      ctx.signal,
    );
    const tags = [...new Set(all.filter((tag) => tag !== '' && isValidDockerTag(tag)))];
    return { repository: ref.name, tags };
  } finally {
    await client.close();
  }
}

/** The registry host of `docker://HOST`, `//HOST` or `HOST`. */
export function parseRegistryLocation(location: string): string {
  let host = location;
  if (host.startsWith('docker:')) host = host.slice('docker:'.length);
  if (host.startsWith('//')) host = host.slice(2);
  host = host.replace(/\/+$/, '');
  const fail = (reason: string) => new InvalidReferenceError(location, reason);
  if (host === '') throw fail('expected a registry, e.g. docker://registry.example.com:5000');
  if (host.includes('/')) throw fail('expected a registry alone, without a repository path');
  let parsed: DockerReference;
  try {
    parsed = parseDockerReference(`${host}/catalog`);
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  const normalized = host === 'index.docker.io' ? 'docker.io' : host;
  if (parsed.domain !== normalized) {
    throw fail(`"${host}" is not a registry host (it needs a "." or a ":port", or be localhost)`);
  }
  return parsed.domain;
}

/** Repository names in a registry's catalog (`/v2/_catalog`), as the registry lists them. */
export async function listRepositories(
  location: string,
  ctx: Context,
  runtime: DockerRuntime,
  options: PageOptions = {},
): Promise<string[]> {
  const host = parseRegistryLocation(location);
  const settings = runtime.settings(ctx);
  const endpoint = await settings.endpoints.registryEndpoint(host);
  const client = runtime.client(ctx, settings, endpoint);
  try {
    return await readPages(
      client,
      withPageSize(CATALOG_PATH, options),
      'repositories',
      [CATALOG_SCOPE],
      `listing repositories of ${client.registry}`,
      ctx.signal,
    );
  } finally {
    await client.close();
  }
}
