// `skopeo-ts list-tags IMAGE` (skopeo's output: {"Repository", "Tags"} indented by 4 spaces) and
// `skopeo-ts list-repos docker://HOST[/FILTER]` ({"Registry", "Repositories"}, beyond skopeo).
import { SkopeoError, splitTransportReference, UnsupportedError } from '@skopeo-ts/core';
import type { App } from '../app.js';
import { indentedJson } from '../go/report-format.js';
import { goString, goStringSlice } from '../go/value.js';
import { buildContext } from '../options/context.js';
import { readImageFlags } from '../options/image-flags.js';
import { readRetryOptions, withRetry } from '../options/retry.js';

/** skopeo refuses `docker://repo:tag` and `docker://repo@digest`: tags belong to repositories. */
function hasTagOrDigest(rest: string): boolean {
  const name = rest.replace(/^\/\//, '');
  if (name.includes('@')) return true;
  const slash = name.lastIndexOf('/');
  return name.slice(slash + 1).includes(':');
}

export async function runListTags(
  app: App,
  image: string,
  opts: Readonly<Record<string, unknown>>,
): Promise<void> {
  const ctx = buildContext(app, readImageFlags(opts, '', app.io.env));
  const { transport: name, rest } = splitTransportReference(image);
  const transport = await (await app.registry()).transport(name, image);
  if (transport.listTags === undefined) {
    throw new UnsupportedError(`listing tags is not supported by the ${name}: transport`, {
      hint: 'list-tags works with transports that list tags, e.g. docker://REPOSITORY',
    });
  }
  if (name === 'docker' && hasTagOrDigest(rest)) {
    throw new SkopeoError('INVALID_REFERENCE', 'No tag or digest allowed in reference', {
      hint: `name the repository alone, e.g. ${image.replace(/[:@][^/]*$/, '')}`,
    });
  }
  const ref = transport.parseReference(rest);
  const listTags = transport.listTags.bind(transport);
  const result = await withRetry(
    () => listTags(ref, ctx),
    readRetryOptions(opts),
    (message) => app.warn(message),
    app.signal,
  );
  app.io.stdout.write(
    indentedJson({
      kind: 'struct',
      typeName: 'tagListOutput',
      fields: [
        // `json:",omitempty"`: docker-archive: lists tags of several repositories, and no Repository.
        { name: 'Repository', json: 'Repository', value: goString(result.repository), omitEmpty: true },
        // Go appends to a nil slice: a repository without tags prints null, as skopeo does.
        {
          name: 'Tags',
          json: 'Tags',
          value: goStringSlice(result.tags.length === 0 ? undefined : result.tags),
        },
      ],
    }),
  );
}

/** `docker://HOST/FILTER` → transport "docker", location "//HOST", filter "FILTER". */
function splitLocation(input: string): { name: string; location: string; host: string; filter: string } {
  const { transport: name, rest } = splitTransportReference(input);
  const path = rest.replace(/^\/\//, '');
  const slash = path.indexOf('/');
  const host = slash < 0 ? path : path.slice(0, slash);
  const filter = slash < 0 ? '' : path.slice(slash + 1).replace(/\/+$/, '');
  return { name, location: `//${host}`, host, filter };
}

export async function runListRepos(
  app: App,
  input: string,
  opts: Readonly<Record<string, unknown>>,
): Promise<void> {
  const ctx = buildContext(app, readImageFlags(opts, '', app.io.env));
  const { name, location, host, filter } = splitLocation(input);
  const transport = await (await app.registry()).transport(name, input);
  if (transport.listRepositories === undefined) {
    throw new UnsupportedError(`listing repositories is not supported by the ${name}: transport`, {
      hint: 'list-repos works with registries, e.g. docker://registry.example.com:5000',
    });
  }
  const listRepositories = transport.listRepositories.bind(transport);
  const all = await withRetry(
    () => listRepositories(location, ctx),
    readRetryOptions(opts),
    (message) => app.warn(message),
    app.signal,
  );
  const repositories = filter === '' ? all : all.filter((repository) => repository.includes(filter));
  app.io.stdout.write(
    indentedJson({
      kind: 'struct',
      typeName: 'repoListOutput',
      fields: [
        { name: 'Registry', json: 'Registry', value: goString(host) },
        { name: 'Repositories', json: 'Repositories', value: goStringSlice(repositories) },
      ],
    }),
  );
}
