import { describe, expect, it } from 'vitest';
import { isSkopeoError } from '../errors.js';
import { parseDockerTransportReference, splitTransportReference } from './transport-reference.js';

const SHA256_F = `sha256:${'f'.repeat(64)}`;

function refusal(run: () => unknown): { message: string; input: string } {
  try {
    run();
  } catch (error) {
    expect(isSkopeoError(error, 'INVALID_REFERENCE')).toBe(true);
    return error as { message: string; input: string };
  }
  throw new Error('expected an InvalidReferenceError');
}

describe('splitTransportReference', () => {
  it.each([
    ['docker://busybox', 'docker', '//busybox'],
    ['oci:/path:tag', 'oci', '/path:tag'],
    ['oci:/path:@1', 'oci', '/path:@1'],
    ['dir:/tmp/x', 'dir', '/tmp/x'],
    ['docker-archive:/a.tar:busybox:latest', 'docker-archive', '/a.tar:busybox:latest'],
    ['containers-storage:[overlay@/g+/r]busybox', 'containers-storage', '[overlay@/g+/r]busybox'],
  ])('%s → %s + %s', (input, transport, rest) => {
    expect(splitTransportReference(input)).toEqual({ transport, rest });
  });

  it.each([
    ['busybox', 'expected "transport:reference", e.g. docker://busybox or oci:/path:tag'],
    ['', 'expected "transport:reference"'],
    [':busybox', 'the transport name before ":" is empty'],
    ['docker:', 'the reference after "docker:" is empty'],
  ])('refuses %j', (input, reason) => {
    const error = refusal(() => splitTransportReference(input));
    expect(error.message).toContain(reason);
    expect(error.input).toBe(input);
  });
});

describe('parseDockerTransportReference', () => {
  it.each([
    ['//busybox', 'docker.io/library/busybox:latest'],
    ['//busybox:1.36', 'docker.io/library/busybox:1.36'],
    [`//busybox@${SHA256_F}`, `docker.io/library/busybox@${SHA256_F}`],
    ['//quay.io/org/app', 'quay.io/org/app:latest'],
    ['//localhost:5000/x', 'localhost:5000/x:latest'],
    ['//[::1]:5000/x:v1', '[::1]:5000/x:v1'],
    ['//index.docker.io/library/busybox', 'docker.io/library/busybox:latest'],
  ])('%s → %s', (rest, full) => {
    expect(parseDockerTransportReference(rest).toString()).toBe(full);
  });

  it.each([
    ['busybox', 'docker references must start with "//"'],
    ['/busybox', 'docker references must start with "//"'],
    ['//', 'the repository name is empty'],
    [
      `//busybox:latest@${SHA256_F}`,
      'Docker references with both a tag and digest are currently not supported',
    ],
    ['//busybox:Foo!', 'tag "Foo!" is invalid'],
    ['//Busybox', 'repository name must be lowercase'],
  ])('refuses docker:%s', (rest, reason) => {
    const error = refusal(() => parseDockerTransportReference(rest));
    expect(error.message).toContain(reason);
    // The error shows the reference as the user typed it, transport included.
    expect(error.input).toBe(`docker:${rest}`);
    expect(error.message).toContain(`invalid reference "docker:${rest}"`);
  });

  it('reads what splitTransportReference leaves for docker', () => {
    const { transport, rest } = splitTransportReference('docker://registry.example:5000/team/app:v2');
    expect(transport).toBe('docker');
    const ref = parseDockerTransportReference(rest);
    expect([ref.domain, ref.path, ref.tag]).toEqual(['registry.example:5000', 'team/app', 'v2']);
  });
});
