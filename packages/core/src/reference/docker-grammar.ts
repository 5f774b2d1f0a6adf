// The pieces of the docker reference grammar (distribution/reference, as containers/image uses it),
// each checked on its own so an error can say which part of a reference is wrong and why.
//
// Go's regexp engine is linear-time; JavaScript's backtracks. The upstream path pattern
// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*` lets `[-]*` match nothing, which nests `[a-z0-9]+`
// inside a `*` and backtracks exponentially here. `-+` accepts the same names (an empty separator
// only joins two alphanumeric runs into one), so the patterns below are equivalent but safe.

/** Docker Hub's canonical domain; names without a registry host belong to it. */
export const DEFAULT_DOCKER_DOMAIN = 'docker.io';
/** The old Docker Hub host, normalized to DEFAULT_DOCKER_DOMAIN. */
export const LEGACY_DOCKER_DOMAIN = 'index.docker.io';
/** Namespace of Docker Hub's official images: `busybox` means `library/busybox`. */
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';
/** The tag used when a reference names neither a tag nor a digest. */
export const DEFAULT_DOCKER_TAG = 'latest';
/** Longest repository name (domain and path) the grammar allows. */
export const DOCKER_NAME_MAX_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6_IN_BRACKETS = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^\w[\w.-]{0,127}$/;
/** An image ID: refused as a repository name because it would be mistaken for one. */
const BARE_IDENTIFIER = /^[a-f0-9]{64}$/;

export const TAG_RULE = 'a tag is up to 128 characters of [A-Za-z0-9_.-] and cannot start with "." or "-"';

/** Whether text looks like a registry host, by docker's rule for the part before the first "/". */
export function looksLikeDomain(text: string): boolean {
  return text.includes('.') || text.includes(':') || text === 'localhost';
}

export function isBareIdentifier(text: string): boolean {
  return BARE_IDENTIFIER.test(text);
}

export function isValidDockerTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Why a registry host (with optional port) is invalid, or undefined when it is valid. */
export function domainProblem(domain: string): string | undefined {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close >= 0) {
      host = domain.slice(0, close + 1);
      const after = domain.slice(close + 1);
      if (after !== '') {
        if (!after.startsWith(':')) return `unexpected "${after}" after the IPv6 address`;
        port = after.slice(1);
      }
    }
    if (!IPV6_IN_BRACKETS.test(host)) {
      return 'an IPv6 address goes in brackets and holds only hex digits and ":" (no zone)';
    }
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    const labelProblem = hostNameProblem(host);
    if (labelProblem !== undefined) return labelProblem;
  }
  if (port !== undefined && !PORT.test(port)) return `the port "${port}" must be decimal digits`;
  return undefined;
}

function hostNameProblem(host: string): string | undefined {
  if (host === '') return 'the host name is empty';
  for (const label of host.split('.')) {
    if (label === '') return 'the host name has an empty part between dots';
    if (!DOMAIN_LABEL.test(label)) {
      return `"${label}" is not a host name part: use letters, digits and "-", not first or last`;
    }
  }
  return undefined;
}

/** Why a repository path (without domain) is invalid, or undefined when it is valid. */
export function pathProblem(path: string): string | undefined {
  if (path === '') return 'the repository name is empty';
  if (path.toLowerCase() !== path) return 'repository name must be lowercase';
  for (const component of path.split('/')) {
    if (component === '') {
      return `repository path "${path}" has an empty component (a doubled, leading or trailing "/")`;
    }
    if (!PATH_COMPONENT.test(component)) {
      return (
        `repository path component "${component}" is invalid: use lowercase letters and digits, ` +
        'separated by one ".", one or two "_", or any number of "-"'
      );
    }
  }
  return undefined;
}

export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag after ":" is empty';
  return TAG.test(tag) ? undefined : `tag "${tag}" is invalid: ${TAG_RULE}`;
}
