// docker-archive: reference parsing, printing and the refusals of bad forms.
import { isSkopeoError } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import { DockerArchiveReference, dockerArchiveTransport } from '../src/index.js';
import { archive, expectSkopeoError } from './helpers.js';

function parsed(rest: string): DockerArchiveReference {
  const reference = archive(rest);
  if (!(reference instanceof DockerArchiveReference)) throw new Error('not a DockerArchiveReference');
  return reference;
}

describe('parseReference', () => {
  it.each([
    ['/tmp/a.tar', '/tmp/a.tar', undefined, undefined],
    [
      '/tmp/a.tar:busybox',
      '/tmp/a.tar:docker.io/library/busybox:latest',
      'docker.io/library/busybox:latest',
      undefined,
    ],
    ['rel/a.tar:quay.io/org/app:1.0', 'rel/a.tar:quay.io/org/app:1.0', 'quay.io/org/app:1.0', undefined],
    [
      '/tmp/a.tar:localhost:5000/app:v2',
      '/tmp/a.tar:localhost:5000/app:v2',
      'localhost:5000/app:v2',
      undefined,
    ],
    ['/tmp/a.tar:@0', '/tmp/a.tar:@0', undefined, 0],
    ['/dev/stdin:@12', '/dev/stdin:@12', undefined, 12],
  ])('%s', (rest, within, name, index) => {
    const reference = parsed(rest);
    expect(reference.withinTransport).toBe(within);
    expect(reference.toString()).toBe(`docker-archive:${within}`);
    expect(reference.dockerReference?.toString()).toBe(name);
    expect(reference.sourceIndex).toBe(index);
    // Printing and parsing again gives the same reference.
    expect(archive(reference.withinTransport).toString()).toBe(reference.toString());
  });

  it.each([
    ['', 'path before the first ":" is empty'],
    [':busybox', 'path before the first ":" is empty'],
    ['/tmp/a.tar:', 'nothing follows the ":"'],
    ['/tmp/a.tar:Busybox', 'is not a valid image name'],
    ['/tmp/a.tar:@x', 'not a valid image index'],
    ['/tmp/a.tar:@-1', 'not a valid image index'],
    ['/tmp/a.tar:@99999999999999999999', 'too large'],
    [`/tmp/a.tar:busybox@sha256:${'a'.repeat(64)}`, "doesn't support digest references"],
  ])('refuses %j', (rest, reason) => {
    let caught: unknown;
    try {
      archive(rest);
    } catch (error) {
      caught = error;
    }
    expect(isSkopeoError(caught, 'INVALID_REFERENCE')).toBe(true);
    expect((caught as Error).message).toContain(`"docker-archive:${rest}"`);
    expect((caught as Error).message).toContain(reason);
  });

  it('has no policy scopes but the default, as skopeo', () => {
    expect(parsed('/tmp/a.tar:app:1').policyIdentity()).toBe('');
    expect(parsed('/tmp/a.tar').policyNamespaces()).toEqual([]);
    expect(() => dockerArchiveTransport.validatePolicyScope?.('/tmp')).toThrow(/does not support any scopes/);
  });

  it('does no I/O when parsing, and refuses @N for writing', async () => {
    const reference = archive('/nonexistent/dir/a.tar:@1');
    const error = await expectSkopeoError(reference.newDestination({}), 'INVALID_REFERENCE');
    expect(error.message).toContain('@1 selects an image of an existing archive');
  });

  it('deleting is not supported', async () => {
    await expectSkopeoError(archive('/tmp/a.tar').delete({}), 'UNSUPPORTED');
  });
});
