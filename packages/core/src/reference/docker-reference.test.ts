// Cases from distribution/reference's reference_test.go and normalize_test.go (and containers/image's
// copy of them), read through the normalizing parser skopeo uses.
import { describe, expect, it } from 'vitest';
import { isSkopeoError } from '../errors.js';
import {
  type DockerReference,
  isNameOnly,
  parseDockerReference,
  parseDockerReferenceStrict,
  withDefaultTag,
  withDigest,
  withoutTagOrDigest,
  withTag,
} from './docker-reference.js';

const SHA256_F = `sha256:${'f'.repeat(64)}`;
const SHA512_F = `sha512:${'f'.repeat(128)}`;
const REDIS_DIGEST = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const HEX64 = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';

/** Asserts that parsing fails with an InvalidReferenceError whose message holds `reason`. */
function expectRefused(parse: () => unknown, reason: string, input?: string): void {
  let caught: unknown;
  try {
    parse();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an error').toBeDefined();
  expect(isSkopeoError(caught, 'INVALID_REFERENCE')).toBe(true);
  expect((caught as Error).message).toContain(reason);
  if (input !== undefined) expect((caught as { input: string }).input).toBe(input);
}

function fields(ref: DockerReference) {
  return { domain: ref.domain, path: ref.path, tag: ref.tag, digest: ref.digest };
}

describe('parseDockerReference: valid references', () => {
  // [input, full normalized form, domain, path, tag, digest]
  const cases: [string, string, string, string, string?, string?][] = [
    ['test_com', 'docker.io/library/test_com', 'docker.io', 'library/test_com'],
    ['test.com:tag', 'docker.io/library/test.com:tag', 'docker.io', 'library/test.com', 'tag'],
    ['test.com:5000', 'docker.io/library/test.com:5000', 'docker.io', 'library/test.com', '5000'],
    ['test.com/repo:tag', 'test.com/repo:tag', 'test.com', 'repo', 'tag'],
    ['test:5000/repo', 'test:5000/repo', 'test:5000', 'repo'],
    ['test:5000/repo:tag', 'test:5000/repo:tag', 'test:5000', 'repo', 'tag'],
    [`test:5000/repo@${SHA256_F}`, `test:5000/repo@${SHA256_F}`, 'test:5000', 'repo', undefined, SHA256_F],
    [
      `test:5000/repo:tag@${SHA256_F}`,
      `test:5000/repo:tag@${SHA256_F}`,
      'test:5000',
      'repo',
      'tag',
      SHA256_F,
    ],
    [
      'lowercase:Uppercase',
      'docker.io/library/lowercase:Uppercase',
      'docker.io',
      'library/lowercase',
      'Uppercase',
    ],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux'],
    [
      'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
      'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
      'sub-dom1.foo.com',
      'bar/baz/quux',
      'some-long-tag',
    ],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      'b.gcr.io/test.example.com/my-app:test.example.com',
      'b.gcr.io',
      'test.example.com/my-app',
      'test.example.com',
    ],
    [
      'xn--n3h.com/myimage:xn--n3h.com',
      'xn--n3h.com/myimage:xn--n3h.com',
      'xn--n3h.com',
      'myimage',
      'xn--n3h.com',
    ],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@${SHA512_F}`,
      `xn--7o8h.com/myimage:xn--7o8h.com@${SHA512_F}`,
      'xn--7o8h.com',
      'myimage',
      'xn--7o8h.com',
      SHA512_F,
    ],
    ['foo_bar.com:8080', 'docker.io/library/foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080'],
    ['foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080'],
    ['192.168.1.1', 'docker.io/library/192.168.1.1', 'docker.io', 'library/192.168.1.1'],
    ['192.168.1.1:tag', 'docker.io/library/192.168.1.1:tag', 'docker.io', 'library/192.168.1.1', 'tag'],
    ['192.168.1.1:5000', 'docker.io/library/192.168.1.1:5000', 'docker.io', 'library/192.168.1.1', '5000'],
    ['192.168.1.1/repo', '192.168.1.1/repo', '192.168.1.1', 'repo'],
    ['192.168.1.1:5000/repo', '192.168.1.1:5000/repo', '192.168.1.1:5000', 'repo'],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050'],
    ['[2001:db8::1]/repo', '[2001:db8::1]/repo', '[2001:db8::1]', 'repo'],
    [
      '[2001:db8:1:2:3:4:5:6]/repo:tag',
      '[2001:db8:1:2:3:4:5:6]/repo:tag',
      '[2001:db8:1:2:3:4:5:6]',
      'repo',
      'tag',
    ],
    ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'repo'],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000', 'repo', 'tag'],
    [
      `[2001:db8::1]:5000/repo:tag@${SHA256_F}`,
      `[2001:db8::1]:5000/repo:tag@${SHA256_F}`,
      '[2001:db8::1]:5000',
      'repo',
      'tag',
      SHA256_F,
    ],
    ['[2001:db8::]:5000/repo', '[2001:db8::]:5000/repo', '[2001:db8::]:5000', 'repo'],
    ['[::1]:5000/repo', '[::1]:5000/repo', '[::1]:5000', 'repo'],
    ['[fc00::1]:5000/repo', '[fc00::1]:5000/repo', '[fc00::1]:5000', 'repo'],
    // Normalization of Docker Hub names.
    ['busybox', 'docker.io/library/busybox', 'docker.io', 'library/busybox'],
    ['busybox:latest', 'docker.io/library/busybox:latest', 'docker.io', 'library/busybox', 'latest'],
    ['library/busybox', 'docker.io/library/busybox', 'docker.io', 'library/busybox'],
    ['docker.io/busybox', 'docker.io/library/busybox', 'docker.io', 'library/busybox'],
    ['docker.io/library/busybox', 'docker.io/library/busybox', 'docker.io', 'library/busybox'],
    ['index.docker.io/busybox', 'docker.io/library/busybox', 'docker.io', 'library/busybox'],
    ['index.docker.io/library/debian', 'docker.io/library/debian', 'docker.io', 'library/debian'],
    ['index.docker.io/docker/docker', 'docker.io/docker/docker', 'docker.io', 'docker/docker'],
    ['docker.io/library', 'docker.io/library/library', 'docker.io', 'library/library'],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp', 'docker.io', 'dmcgowan/myapp'],
    ['127.0.0.1:5000/library/debian', '127.0.0.1:5000/library/debian', '127.0.0.1:5000', 'library/debian'],
    ['example.com/busybox', 'example.com/busybox', 'example.com', 'busybox'],
    ['localhost/x', 'localhost/x', 'localhost', 'x'],
    ['localhost:5000/x', 'localhost:5000/x', 'localhost:5000', 'x'],
    ['localhost', 'docker.io/library/localhost', 'docker.io', 'library/localhost'],
    ['localhost:5000', 'docker.io/library/localhost:5000', 'docker.io', 'library/localhost', '5000'],
    // A host name may hold uppercase letters; only the repository path must be lowercase.
    ['Example.COM/app', 'Example.COM/app', 'Example.COM', 'app'],
    [
      `redis@${REDIS_DIGEST}`,
      `docker.io/library/redis@${REDIS_DIGEST}`,
      'docker.io',
      'library/redis',
      undefined,
      REDIS_DIGEST,
    ],
    // A 64-hex name is refused only when it stands alone (it could be an image ID).
    [`docker.io/${HEX64}`, `docker.io/library/${HEX64}`, 'docker.io', `library/${HEX64}`],
    [
      HEX64.slice(0, 63),
      `docker.io/library/${HEX64.slice(0, 63)}`,
      'docker.io',
      `library/${HEX64.slice(0, 63)}`,
    ],
    // "sha256:<hex>" is the name "sha256" with a tag, as in docker, not a digest.
    [REDIS_DIGEST, `docker.io/library/${REDIS_DIGEST}`, 'docker.io', 'library/sha256', REDIS_DIGEST.slice(7)],
    ['sha256:abc', 'docker.io/library/sha256:abc', 'docker.io', 'library/sha256', 'abc'],
    // Separators and lengths the grammar allows.
    ['docker-rules/docker', 'docker.io/docker-rules/docker', 'docker.io', 'docker-rules/docker'],
    ['docker---rules/docker', 'docker.io/docker---rules/docker', 'docker.io', 'docker---rules/docker'],
    ['dock__er/docker', 'docker.io/dock__er/docker', 'docker.io', 'dock__er/docker'],
    ['d/docker', 'docker.io/d/docker', 'docker.io', 'd/docker'],
    ['jess/t', 'docker.io/jess/t', 'docker.io', 'jess/t'],
    ['a-b.c-d/e.f/g_h', 'a-b.c-d/e.f/g_h', 'a-b.c-d', 'e.f/g_h'],
    [
      'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      'docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      'docker.io',
      'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    ],
    [
      `busybox:${'a'.repeat(128)}`,
      `docker.io/library/busybox:${'a'.repeat(128)}`,
      'docker.io',
      'library/busybox',
      'a'.repeat(128),
    ],
    ['busybox:_x', 'docker.io/library/busybox:_x', 'docker.io', 'library/busybox', '_x'],
  ];

  it.each(cases)('%s → %s', (input, full, domain, path, tag, digest) => {
    const ref = parseDockerReference(input);
    expect(ref.toString()).toBe(full);
    expect(fields(ref)).toEqual({ domain, path, tag, digest });
    expect(ref.name).toBe(`${domain}/${path}`);
  });

  it('keeps the 255-character limit on the whole normalized name', () => {
    // docker.io/library/ is 18 characters; example.com/ is 12.
    expect(parseDockerReference('a'.repeat(237)).name).toHaveLength(255);
    expect(parseDockerReference(`example.com/${'a'.repeat(243)}:tag`).name).toHaveLength(255);
    expect(parseDockerReference(`example.com/${'a/'.repeat(121)}a`).name).toHaveLength(255);
  });
});

describe('parseDockerReference: invalid references', () => {
  const tooLong = 'repository name must not be more than 255 characters';
  const cases: [string, string][] = [
    ['', 'the repository name is empty'],
    [':justtag', 'the repository name is empty'],
    [`@${SHA256_F}`, 'the repository name is empty'],
    ['example.com/', 'the repository name is empty'],
    ['example.com/:tag', 'the repository name is empty'],
    [`repo@sha256:${'f'.repeat(34)}`, 'a sha256 value has 64 hex characters, this one has 34'],
    [`validname@invaliddigest:${'f'.repeat(64)}`, 'unsupported algorithm "invaliddigest"'],
    [`busybox@sha256:${'F'.repeat(64)}`, 'lowercase hexadecimal'],
    [`busybox@${SHA256_F}@${SHA256_F}`, 'invalid digest'],
    ['busybox@', 'the digest after "@" is empty'],
    ['Uppercase:tag', 'repository name must be lowercase'],
    ['Uppercase/lowercase:tag', 'repository name must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'repository name must be lowercase'],
    ['docker/Docker', 'repository name must be lowercase'],
    ['docker.io/docker/Docker', 'repository name must be lowercase'],
    [`${'a/'.repeat(128)}a:tag`, tooLong],
    // Valid for distribution's un-normalized Parse (domain "a"), too long once under docker.io/.
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, tooLong],
    ['a'.repeat(238), tooLong],
    [`example.com/${'a'.repeat(244)}`, tooLong],
    [`domain.com/${'a'.repeat(256)}:tag`, tooLong],
    [
      'this_is_not_a_valid_namespace_because_its_length_is_greater_than_255_this_is_not_a_valid_namespace_because_its_length_is_greater_than_255_this_is_not_a_valid_namespace_because_its_length_is_greater_than_255_this_is_not_a_valid_namespace_because_its_length_is_greater_than_255/docker',
      tooLong,
    ],
    ['aa/asdf$$^/aa', 'repository path component "asdf$$^" is invalid'],
    ['-docker', 'component "-docker" is invalid'],
    ['-docker/docker', 'component "-docker" is invalid'],
    ['docker-/docker', 'component "docker-" is invalid'],
    ['-docker-/docker', 'component "-docker-" is invalid'],
    ['____/____', 'component "____" is invalid'],
    ['_docker/_docker', 'component "_docker" is invalid'],
    // A first part with a "." is read as a registry host (docker's rule), so these fail there.
    ['dock..er/docker', 'invalid domain "dock..er"'],
    ['dock_.er/docker', 'invalid domain "dock_.er"'],
    ['dock-.er/docker', 'invalid domain "dock-.er"'],
    ['x/dock..er', 'component "dock..er" is invalid'],
    ['x/dock_.er', 'component "dock_.er" is invalid'],
    ['x/dock-.er', 'component "dock-.er" is invalid'],
    ['dock___er/docker', 'component "dock___er" is invalid'],
    ['foo bar', 'component "foo bar" is invalid'],
    ['docker///docker', 'has an empty component'],
    ['docker.io/docker///docker', 'has an empty component'],
    ['docker/', 'has an empty component'],
    [HEX64, 'cannot specify 64-byte hexadecimal strings'],
    ['[2001:db8::1]', 'component "[2001" is invalid'],
    ['[2001:db8::1]:5000', 'is invalid'],
    ['[2001:db8::1]:tag', 'is invalid'],
    ['[fe80::1%eth0]:5000/repo', 'invalid domain "[fe80::1%eth0]:5000"'],
    ['[fe80::1%@invalidzone]:5000/repo', 'is invalid'],
    ['[::1]x/repo', 'invalid domain "[::1]x"'],
    ['[::1/repo', 'invalid domain "[::1"'],
    ['https://github.com/docker/docker', 'invalid domain "https:": the port "" must be decimal digits'],
    ['example.com:port/app', 'the port "port" must be decimal digits'],
    ['-docker.io/docker/docker', 'invalid domain "-docker.io"'],
    ['example-.com/app', 'invalid domain "example-.com"'],
    ['a..b/app', 'invalid domain "a..b": the host name has an empty part between dots'],
    [':5000/app', 'invalid domain ":5000": the host name is empty'],
    // distribution falls back to a name with no domain here; a registry-less name is useless to us.
    ['foo_bar.com/app', 'invalid domain "foo_bar.com"'],
    [
      'busybox:Foo!',
      'tag "Foo!" is invalid: a tag is up to 128 characters of [A-Za-z0-9_.-] and cannot start',
    ],
    ['busybox:', 'the tag after ":" is empty'],
    ['busybox:.x', 'tag ".x" is invalid'],
    ['busybox:-x', 'tag "-x" is invalid'],
    [`busybox:${'a'.repeat(129)}`, 'is invalid: a tag is up to 128 characters'],
    ['busybox:a:b', 'tag "a:b" is invalid'],
    ['busybox:tag/x', 'invalid domain "busybox:tag"'],
  ];

  it.each(cases)('%s is refused: %s', (input, reason) => {
    expectRefused(() => parseDockerReference(input), reason, input);
  });

  it('says which input was wrong in the message', () => {
    expectRefused(
      () => parseDockerReference('Busybox'),
      'invalid reference "Busybox": repository name must be lowercase',
    );
  });

  it('refuses pathological inputs quickly (no regexp backtracking blow-up)', () => {
    const started = Date.now();
    for (const input of [
      `${'a'.repeat(40)}!`,
      `${'a-'.repeat(5000)}!`,
      `example.com/${'a'.repeat(100000)}$`,
      `${'a'.repeat(100000)}.com/x`,
      `busybox:${'a'.repeat(100000)}`,
    ]) {
      expect(() => parseDockerReference(input)).toThrow();
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('familiar forms', () => {
  it.each([
    ['docker.io/library/ubuntu', 'ubuntu'],
    ['ubuntu-12.04-base', 'ubuntu-12.04-base'],
    ['docker.io/fooo/bar', 'fooo/bar'],
    ['library/foo/bar', 'library/foo/bar'],
    ['store/foo/bar', 'store/foo/bar'],
    ['other/library', 'other/library'],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase'],
    ['example.com:8000/privatebase', 'example.com:8000/privatebase'],
    ['localhost/x', 'localhost/x'],
    // Docker would print "foo.com/bar", which reads back as the registry foo.com.
    ['docker.io/foo.com/bar', 'docker.io/foo.com/bar'],
    ['docker.io/localhost/bar', 'docker.io/localhost/bar'],
  ])('%s is known as %s', (input, familiar) => {
    const ref = parseDockerReference(input);
    expect(ref.familiarName()).toBe(familiar);
    expect(parseDockerReference(familiar).name).toBe(ref.name);
  });

  it('keeps tag and digest in familiarString', () => {
    const short = 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
    const ref = parseDockerReference(short);
    expect(ref.toString()).toBe(`docker.io/library/${short}`);
    expect(ref.familiarString()).toBe(short);
  });
});

describe('tags and digests', () => {
  it('adds latest only to a name-only reference', () => {
    const busybox = parseDockerReference('busybox');
    expect(isNameOnly(busybox)).toBe(true);
    expect(withDefaultTag(busybox).toString()).toBe('docker.io/library/busybox:latest');
    expect(busybox.tag).toBeUndefined();
    const pinned = parseDockerReference(`busybox@${REDIS_DIGEST}`);
    expect(isNameOnly(pinned)).toBe(false);
    expect(withDefaultTag(pinned)).toBe(pinned);
    const tagged = parseDockerReference('busybox:1.36');
    expect(withDefaultTag(tagged)).toBe(tagged);
  });

  it('combines a name with a tag and a digest (distribution TestWithTag/TestWithDigest)', () => {
    const name = parseDockerReference('test.com:8000/foo');
    expect(withTag(name, 'TAG5').toString()).toBe('test.com:8000/foo:TAG5');
    expect(withTag(parseDockerReference('foo'), 'tag2').toString()).toBe('docker.io/library/foo:tag2');
    const both = withTag(withDigest(name, SHA256_F), 'TAG5');
    expect(both.toString()).toBe(`test.com:8000/foo:TAG5@${SHA256_F}`);
    expect(withDigest(withTag(name, 'TAG5'), SHA256_F).toString()).toBe(both.toString());
    expect(withoutTagOrDigest(both).toString()).toBe('test.com:8000/foo');
    expect(withoutTagOrDigest(name)).toBe(name);
  });

  it('refuses an invalid tag or digest', () => {
    const busybox = parseDockerReference('busybox');
    expectRefused(() => withTag(busybox, '-foo'), 'tag "-foo" is invalid', 'docker.io/library/busybox:-foo');
    expectRefused(() => withDigest(busybox, 'foo'), 'invalid digest "foo"', 'docker.io/library/busybox@foo');
    expectRefused(() => withDigest(busybox, 'sha256:1234'), 'has 64 hex characters');
  });

  it('returns frozen values', () => {
    const ref = parseDockerReference('busybox');
    expect(Object.isFrozen(ref)).toBe(true);
  });
});

describe('parseDockerReferenceStrict', () => {
  it('accepts only the full normalized form', () => {
    expect(parseDockerReferenceStrict('docker.io/library/busybox:latest').familiarString()).toBe(
      'busybox:latest',
    );
    expect(parseDockerReferenceStrict('quay.io/org/app').toString()).toBe('quay.io/org/app');
    expectRefused(() => parseDockerReferenceStrict('busybox'), 'write "docker.io/library/busybox"');
    expectRefused(() => parseDockerReferenceStrict('index.docker.io/library/busybox'), 'must be canonical');
    expectRefused(() => parseDockerReferenceStrict('Busybox'), 'must be lowercase');
  });
});
