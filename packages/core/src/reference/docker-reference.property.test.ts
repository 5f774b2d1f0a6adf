// Property tests: references generated from the grammar always parse and round-trip; arbitrary
// text never fails with anything but an InvalidReferenceError; normalization is idempotent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSkopeoError } from '../errors.js';
import { looksLikeDomain } from './docker-grammar.js';
import { parseDockerReference, parseDockerReferenceStrict, withDigest, withTag } from './docker-reference.js';

const alphanumeric = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');
const pathComponent = fc
  .tuple(alphanumeric, fc.array(fc.tuple(separator, alphanumeric), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([sep, run]) => sep + run).join(''));
const path = fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
const port = fc.oneof(fc.integer({ min: 0, max: 65535 }).map(String), fc.stringMatching(/^[0-9]{1,6}$/));
// Docker reads the first part as a host only with a "." or ":", so the address holds a ":".
const ipv6 = fc.stringMatching(/^\[[a-fA-F0-9]{0,4}:[a-fA-F0-9:]{0,34}\]$/);
/** Hosts docker reads as a registry: a ".", a ":port", "localhost" or an IPv6 address. */
const domain = fc.oneof(
  fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.')),
  fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), port).map(([l, p]) => `${l.join('.')}:${p}`),
  fc.tuple(ipv6, fc.option(port)).map(([host, p]) => (p === null ? host : `${host}:${p}`)),
  fc.constantFrom('localhost', 'localhost:5000', 'docker.io', 'index.docker.io'),
);
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
const hexDigit = fc.constantFrom(...'0123456789abcdef'.split(''));
const digestOf = (algorithm: string, length: number) =>
  fc.string({ unit: hexDigit, minLength: length, maxLength: length }).map((hex) => `${algorithm}:${hex}`);
const digest = fc.oneof(digestOf('sha256', 64), digestOf('sha384', 96), digestOf('sha512', 128));

interface Generated {
  domain: string | null;
  path: string;
  tag: string | null;
  digest: string | null;
}

/** Full normalized name the parser must produce for a generated reference. */
function expectedName(g: Generated): string {
  const host = g.domain === null || g.domain === 'index.docker.io' ? 'docker.io' : g.domain;
  const repo = host === 'docker.io' && !g.path.includes('/') ? `library/${g.path}` : g.path;
  return `${host}/${repo}`;
}

function render(g: Generated): string {
  return (
    (g.domain === null ? '' : `${g.domain}/`) +
    g.path +
    (g.tag === null ? '' : `:${g.tag}`) +
    (g.digest === null ? '' : `@${g.digest}`)
  );
}

const validReference = fc
  .record({ domain: fc.option(domain), path, tag: fc.option(tag), digest: fc.option(digest) })
  // Without a host, a first component that looks like one would be read as the host.
  .filter((g) => g.domain !== null || !looksLikeDomain(g.path.split('/')[0] ?? ''))
  .filter((g) => expectedName(g).length <= 255)
  .filter((g) => !/^[a-f0-9]{64}$/.test(render(g)));

/** Characters the grammar cares about, so random text reaches every branch of the parser. */
const grammarText = fc.string({
  unit: fc.constantFrom(
    ...'abAB09._-__:/@[]%$ '.split(''),
    'sha256:',
    'localhost',
    'docker.io/',
    'f'.repeat(32),
  ),
  maxLength: 40,
});

function parsesOrRefuses(input: string): ReturnType<typeof parseDockerReference> | undefined {
  try {
    return parseDockerReference(input);
  } catch (error) {
    if (!isSkopeoError(error, 'INVALID_REFERENCE')) throw error;
    return undefined;
  }
}

describe('docker reference properties', () => {
  it('parses every reference the grammar generates, into the expected parts', () => {
    fc.assert(
      fc.property(validReference, (g) => {
        const ref = parseDockerReference(render(g));
        expect(ref.name).toBe(expectedName(g));
        expect(ref.tag).toBe(g.tag ?? undefined);
        expect(ref.digest).toBe(g.digest ?? undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips through toString() and familiarString()', () => {
    fc.assert(
      fc.property(validReference, (g) => {
        const ref = parseDockerReference(render(g));
        const full = ref.toString();
        expect(parseDockerReference(full).toString()).toBe(full);
        expect(parseDockerReferenceStrict(full).toString()).toBe(full);
        expect(parseDockerReference(ref.familiarString()).toString()).toBe(full);
      }),
      { numRuns: 500 },
    );
  });

  it('builds the same reference with withTag/withDigest as by parsing', () => {
    fc.assert(
      fc.property(validReference, tag, digest, (g, newTag, newDigest) => {
        const ref = withDigest(withTag(parseDockerReference(render(g)), newTag), newDigest);
        expect(ref.toString()).toBe(`${expectedName(g)}:${newTag}@${newDigest}`);
        expect(parseDockerReference(ref.toString()).toString()).toBe(ref.toString());
      }),
      { numRuns: 200 },
    );
  });

  it('never fails on random text with anything but an InvalidReferenceError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), grammarText), (input) => {
        parsesOrRefuses(input);
      }),
      { numRuns: 2000 },
    );
  });

  it('normalizes idempotently', () => {
    fc.assert(
      fc.property(fc.oneof(grammarText, validReference.map(render)), (input) => {
        const ref = parsesOrRefuses(input);
        if (ref === undefined) return;
        const once = ref.toString();
        const twice = parseDockerReference(once).toString();
        expect(twice).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every tag the tag grammar generates and nothing longer than 128', () => {
    const busybox = parseDockerReference('busybox');
    fc.assert(
      fc.property(tag, (t) => {
        expect(withTag(busybox, t).tag).toBe(t);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{128,140}$/), (t) => {
        expect(() => withTag(busybox, t)).toThrow(/is invalid/);
      }),
    );
  });
});
