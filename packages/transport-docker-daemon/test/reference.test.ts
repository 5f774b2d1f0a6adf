// docker-daemon: references, checked against skopeo 1.9.3 where it parses the same text.
import { describe, expect, it } from 'vitest';
import { parseDaemonReferenceText } from '../src/index.js';
import { daemon, expectSkopeoError } from './helpers.js';

const ID = `sha256:${'a'.repeat(64)}`;
const DIGEST = `sha256:${'0'.repeat(64)}`;

describe('docker-daemon: references', () => {
  it.each([
    ['busybox:latest', 'busybox:latest', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox:1', 'busybox:1', 'docker.io/library/busybox:1'],
    ['index.docker.io/user/app:v2', 'user/app:v2', 'docker.io/user/app:v2'],
    ['localhost/app:v1', 'localhost/app:v1', 'localhost/app:v1'],
    ['localhost:5000/ns/app:v1', 'localhost:5000/ns/app:v1', 'localhost:5000/ns/app:v1'],
    [`busybox@${DIGEST}`, `busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
  ])('%s is %s (engine name %s)', (input, within, full) => {
    const ref = daemon(input);
    expect(ref.withinTransport).toBe(within);
    expect(ref.toString()).toBe(`docker-daemon:${within}`);
    expect(ref.dockerReference?.toString()).toBe(full);
    expect(daemon(ref.withinTransport).toString()).toBe(ref.toString());
    // As containers/image: no name-based policy scope (images are also named by ID).
    expect(ref.policyIdentity()).toBe('');
    expect(ref.policyNamespaces()).toEqual([]);
  });

  it('sha256:ID names an image by ID, without a docker reference', () => {
    const ref = daemon(ID);
    expect(ref.withinTransport).toBe(ID);
    expect(ref.dockerReference).toBeUndefined();
    expect(parseDaemonReferenceText(ID)).toEqual({ kind: 'id', id: ID });
  });

  it.each([
    ['busybox', /neither a tag nor a digest/],
    [`busybox:v1@${DIGEST}`, /both a tag and digest/],
    ['sha256:abc', /reserved for \(non-shortened\)/],
    [`sha256:${'A'.repeat(64)}`, /reserved for \(non-shortened\)/],
    ['0'.repeat(64), /64-byte hexadecimal/],
    ['Busy:x', /lowercase/],
    ['', /empty/],
    ['busybox:bad tag', /tag/],
    ['busybox@sha256:123', /digest/],
  ])('refuses %j with INVALID_REFERENCE naming the input', async (input, reason) => {
    const error = await expectSkopeoError(
      Promise.resolve().then(() => daemon(input)),
      'INVALID_REFERENCE',
    );
    expect(error.message).toContain(`docker-daemon:${input}`);
    expect(error.message).toMatch(reason);
  });

  it('a destination must be name:tag (checked before connecting)', async () => {
    const ctx = { daemonHost: 'unix:///nonexistent/docker.sock' };
    for (const input of [ID, `busybox@${DIGEST}`]) {
      const error = await expectSkopeoError(daemon(input).newDestination(ctx), 'INVALID_REFERENCE');
      expect(error.message).toMatch(/must be a name:tag/);
    }
  });

  it('delete is not supported (as skopeo)', async () => {
    await expectSkopeoError(daemon('busybox:latest').delete({}), 'UNSUPPORTED');
  });
});
