// Docker image references (`[domain/]path[:tag][@digest]`), parsed and normalized as
// distribution/reference's ParseNormalizedNamed does in containers/image, the library skopeo uses:
// `busybox` is `docker.io/library/busybox`. Parsing never adds `:latest`; withDefaultTag does.
import { type Digest, parseDigest } from '../digest.js';
import { InvalidReferenceError, isSkopeoError } from '../errors.js';
import {
  DEFAULT_DOCKER_DOMAIN,
  DEFAULT_DOCKER_TAG,
  DOCKER_NAME_MAX_LENGTH,
  domainProblem,
  isBareIdentifier,
  LEGACY_DOCKER_DOMAIN,
  looksLikeDomain,
  OFFICIAL_REPOSITORY_PREFIX,
  pathProblem,
  tagProblem,
} from './docker-grammar.js';

/** A parsed, normalized docker reference. Immutable: the with* functions return new ones. */
export interface DockerReference {
  /** Registry host with optional port, e.g. "docker.io", "localhost:5000", "[::1]:5000". */
  readonly domain: string;
  /** Repository path within the registry, e.g. "library/busybox". */
  readonly path: string;
  /** `domain/path`, e.g. "docker.io/library/busybox". */
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;
  /** The full normalized form: `name[:tag][@digest]`. */
  toString(): string;
  /** The name as docker prints it: "busybox", "user/app", "quay.io/org/app". */
  familiarName(): string;
  /** familiarName() with the tag and digest, e.g. "busybox:latest". */
  familiarString(): string;
}

class NormalizedDockerReference implements DockerReference {
  readonly domain: string;
  readonly path: string;
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;

  constructor(domain: string, path: string, tag: string | undefined, digest: Digest | undefined) {
    this.domain = domain;
    this.path = path;
    this.name = `${domain}/${path}`;
    this.tag = tag;
    this.digest = digest;
    Object.freeze(this);
  }

  toString(): string {
    return withSuffixes(this.name, this);
  }

  familiarName(): string {
    if (this.domain !== DEFAULT_DOCKER_DOMAIN) return this.name;
    const official = this.path.startsWith(OFFICIAL_REPOSITORY_PREFIX)
      ? this.path.slice(OFFICIAL_REPOSITORY_PREFIX.length)
      : undefined;
    if (official !== undefined && !official.includes('/')) return official;
    // Docker would print "foo.com/app" for docker.io/foo.com/app, which reads back as another
    // registry; keeping the domain in that (rare) case makes the familiar form parse back the same.
    const [first = ''] = this.path.split('/', 1);
    return looksLikeDomain(first) ? this.name : this.path;
  }

  familiarString(): string {
    return withSuffixes(this.familiarName(), this);
  }
}

function withSuffixes(name: string, ref: DockerReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return name + tag + digest;
}

/** The registry host and the repository path as the user wrote it, before `library/` is added. */
function splitDomain(nameAndTag: string): { domain: string; remote: string } {
  const slash = nameAndTag.indexOf('/');
  const first = nameAndTag.slice(0, Math.max(slash, 0));
  if (slash < 0 || !looksLikeDomain(first)) return { domain: DEFAULT_DOCKER_DOMAIN, remote: nameAndTag };
  const domain = first === LEGACY_DOCKER_DOMAIN ? DEFAULT_DOCKER_DOMAIN : first;
  return { domain, remote: nameAndTag.slice(slash + 1) };
}

function checkedDigest(text: string, fail: (reason: string) => InvalidReferenceError): Digest {
  if (text === '') throw fail('the digest after "@" is empty');
  try {
    parseDigest(text);
  } catch (error) {
    if (isSkopeoError(error, 'INVALID_DIGEST')) throw fail(error.message);
    throw error;
  }
  return text as Digest;
}

/**
 * Parses text as a docker reference; errors name `shownInput`, which lets a transport show the
 * whole reference the user typed (e.g. "docker://...") rather than the part being parsed.
 * Internal: the public form is parseDockerReference.
 */
export function parseDockerReferenceText(text: string, shownInput: string): DockerReference {
  const fail = (reason: string): InvalidReferenceError => new InvalidReferenceError(shownInput, reason);
  if (text === '') throw fail('the repository name is empty');
  if (isBareIdentifier(text)) {
    throw fail('cannot specify 64-byte hexadecimal strings: that is an image ID, not a repository name');
  }
  // Neither a name nor a tag may hold "@", and a digest cannot either: the first "@" starts it.
  const at = text.indexOf('@');
  const nameAndTag = at < 0 ? text : text.slice(0, at);
  const { domain, remote } = splitDomain(nameAndTag);
  // Path components hold no ":", so after the domain the first ":" starts the tag.
  const colon = remote.indexOf(':');
  const remotePath = colon < 0 ? remote : remote.slice(0, colon);

  const badDomain = domainProblem(domain);
  if (badDomain !== undefined) throw fail(`invalid domain "${domain}": ${badDomain}`);
  const badPath = pathProblem(remotePath);
  if (badPath !== undefined) throw fail(badPath);
  const path =
    domain === DEFAULT_DOCKER_DOMAIN && !remotePath.includes('/')
      ? OFFICIAL_REPOSITORY_PREFIX + remotePath
      : remotePath;
  const nameLength = domain.length + 1 + path.length;
  if (nameLength > DOCKER_NAME_MAX_LENGTH) {
    throw fail(
      `repository name must not be more than ${DOCKER_NAME_MAX_LENGTH} characters ` +
        `("${domain}/${path.slice(0, 40)}..." has ${nameLength})`,
    );
  }

  const tag = colon < 0 ? undefined : remote.slice(colon + 1);
  const badTag = tag === undefined ? undefined : tagProblem(tag);
  if (badTag !== undefined) throw fail(badTag);
  const digest = at < 0 ? undefined : checkedDigest(text.slice(at + 1), fail);
  return new NormalizedDockerReference(domain, path, tag, digest);
}

/**
 * Parses a docker reference as docker and skopeo accept it (`busybox`, `quay.io/org/app:1.0`,
 * `localhost:5000/app@sha256:...`), normalized to its full form. Adds no default tag.
 * @throws InvalidReferenceError saying which part is wrong.
 */
export function parseDockerReference(input: string): DockerReference {
  return parseDockerReferenceText(input, input);
}

/**
 * Like parseDockerReference, but only accepts the full normalized form
 * (`docker.io/library/busybox:latest`, not `busybox:latest`), for configuration files where a
 * shorthand would be ambiguous (as distribution's ParseNamed).
 */
export function parseDockerReferenceStrict(input: string): DockerReference {
  const ref = parseDockerReference(input);
  if (ref.toString() !== input) {
    throw new InvalidReferenceError(input, `repository name must be canonical: write "${ref.toString()}"`);
  }
  return ref;
}

/** True when the reference has neither a tag nor a digest. */
export function isNameOnly(ref: DockerReference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** Adds the `latest` tag to a name-only reference (distribution's TagNameOnly). */
export function withDefaultTag(ref: DockerReference): DockerReference {
  return isNameOnly(ref) ? withTag(ref, DEFAULT_DOCKER_TAG) : ref;
}

/** The same repository with this tag; any digest is kept. */
export function withTag(ref: DockerReference, tag: string): DockerReference {
  const badTag = tagProblem(tag);
  if (badTag !== undefined) throw new InvalidReferenceError(`${ref.name}:${tag}`, badTag);
  return new NormalizedDockerReference(ref.domain, ref.path, tag, ref.digest);
}

/** The same repository with this digest; any tag is kept. */
export function withDigest(ref: DockerReference, digest: string): DockerReference {
  const fail = (reason: string) => new InvalidReferenceError(`${ref.name}@${digest}`, reason);
  return new NormalizedDockerReference(ref.domain, ref.path, ref.tag, checkedDigest(digest, fail));
}

/** The repository alone, without tag or digest (distribution's TrimNamed). */
export function withoutTagOrDigest(ref: DockerReference): DockerReference {
  return isNameOnly(ref) ? ref : new NormalizedDockerReference(ref.domain, ref.path, undefined, undefined);
}
