// Deleting an image: the tag is resolved to the manifest digest, and the manifest is deleted by
// digest. The registry then drops every tag that points at that digest, not only the one named.
import {
  type Context,
  type Digest,
  isDigest,
  isSkopeoError,
  MANIFEST_MEDIA_TYPES,
  manifestDigest,
  UnsupportedError,
} from '@skopeo-ts/core';
import type { AuthScope } from './client/auth.js';
import type { RegistryClient } from './client/client.js';
import { contentLength, discard, headerValue, MAX_MANIFEST_BYTES, readLimited } from './client/limits.js';
import { manifestPath } from './paths.js';
import type { DockerImageReference } from './reference.js';
import type { DockerRuntime } from './runtime.js';

/**
 * What deleting asks for: distribution wants "delete", quay.io "push" (and refuses "delete");
 * both understand "*", as containers/image found.
 */
function deleteScope(repository: string): AuthScope {
  return { type: 'repository', name: repository, actions: '*' };
}

/** The digest a tag points at: HEAD with every manifest type accepted, GET when no digest header. */
export async function resolveManifestDigest(
  client: RegistryClient,
  repository: string,
  tag: string,
  scopes: readonly AuthScope[],
  signal: AbortSignal | undefined,
): Promise<Digest> {
  const what = `reading the digest of ${tag} in ${client.registry}/${repository}`;
  const head = await client.request({
    method: 'HEAD',
    path: manifestPath(repository, tag),
    headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
    scopes,
    what,
    expect: [200],
    signal,
  });
  discard(head.body);
  const header = headerValue(head.headers, 'docker-content-digest')?.trim();
  if (header !== undefined && isDigest(header)) return header;
  const get = await client.request({
    method: 'GET',
    path: manifestPath(repository, tag),
    headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
    scopes,
    what,
    expect: [200],
    signal,
  });
  const bytes = await readLimited(
    get.body,
    MAX_MANIFEST_BYTES,
    `the manifest ${tag}`,
    contentLength(get.headers),
  );
  return manifestDigest(bytes, headerValue(get.headers, 'content-type'));
}

export async function deleteImage(
  reference: DockerImageReference,
  ctx: Context,
  runtime: DockerRuntime,
): Promise<void> {
  const ref = reference.dockerReference;
  const settings = runtime.settings(ctx);
  const endpoint = await settings.endpoints.primaryEndpoint(ref);
  const client = runtime.client(ctx, settings, endpoint);
  const repository = endpoint.repository;
  const scopes = [deleteScope(repository)];
  const name = `${client.registry}/${repository}`;
  try {
    const digest =
      ref.digest ??
      (await resolveManifestDigest(client, repository, ref.tag ?? 'latest', scopes, ctx.signal));
    try {
      const response = await client.request({
        method: 'DELETE',
        path: manifestPath(repository, digest),
        scopes,
        what: `deleting ${digest} from ${name}`,
        expect: [200, 202, 204],
        signal: ctx.signal,
      });
      discard(response.body);
    } catch (error) {
      if (isSkopeoError(error) && (error as { status?: number }).status === 405) {
        throw new UnsupportedError(
          `deleting ${digest} from ${name}: the registry does not allow deleting images (HTTP 405)`,
          {
            hint: 'a docker-registry deletes only with storage.delete.enabled: true; many hosted registries delete only through their own API',
            cause: error,
          },
        );
      }
      throw error;
    }
  } finally {
    await client.close();
  }
}
