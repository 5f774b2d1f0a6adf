// Parsing `containers-storage:` references: no I/O, the whole grammar, clear refusals.
import { describe, expect, it } from 'vitest';
import { parseStorageReferenceText } from '../src/index.js';
import { expectSkopeoError, storage } from './helpers.js';

const ID = 'a'.repeat(64);
const DIGEST = `sha256:${'b'.repeat(64)}`;

describe('containers-storage: references', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['localhost/app:1', 'localhost/app:1'],
    [`quay.io/org/app@${DIGEST}`, `quay.io/org/app@${DIGEST}`],
    [`app:1@${ID}`, `docker.io/library/app:1@${ID}`],
    [`@${ID}`, `@${ID}`],
    [ID, `@${ID}`],
    ['abc123', 'abc123'],
    ['[vfs@/var/lib/s+/run/s]busybox', '[vfs@/var/lib/s+/run/s]docker.io/library/busybox:latest'],
    [
      '[overlay@/g+/r:overlay.mount_program=/usr/bin/fuse-overlayfs]localhost/x',
      '[overlay@/g+/r:overlay.mount_program=/usr/bin/fuse-overlayfs]localhost/x:latest',
    ],
    ['[/g]localhost/x:2', '[/g]localhost/x:2'],
  ])('%s is %s and parses back the same', (input, within) => {
    const reference = storage(input);
    expect(reference.withinTransport).toBe(within);
    expect(storage(reference.withinTransport).withinTransport).toBe(within);
    expect(reference.toString()).toBe(`containers-storage:${within}`);
  });

  it('keeps the store parts apart', () => {
    expect(parseStorageReferenceText('[overlay@/g+/r:overlay.a=1,overlay.b=2]x').store).toEqual({
      driver: 'overlay',
      graphRoot: '/g',
      runRoot: '/r',
      options: ['overlay.a=1', 'overlay.b=2'],
    });
    const prefix = parseStorageReferenceText('abc');
    expect(prefix.idPrefix).toBe('abc');
    expect(prefix.name?.toString()).toBe('docker.io/library/abc:latest');
    expect(parseStorageReferenceText('ab').idPrefix).toBeUndefined();
  });

  it.each([
    ['', 'no image name'],
    ['[vfs@/g', 'closing'],
    ['[vfs@relative]x', 'absolute'],
    ['[@/g]x', 'empty driver'],
    ['[vfs@/g:bad]x', 'driver.option=value'],
    ['Bad Name', 'not an image name'],
    ['x@nothex', 'neither a digest'],
  ])('refuses %j (%s)', async (input, why) => {
    const error = await expectSkopeoError(
      Promise.resolve().then(() => storage(input)),
      'INVALID_REFERENCE',
    );
    expect(error.message).toContain(why);
  });

  it('names the docker reference for policy', () => {
    const reference = storage('[vfs@/g]quay.io/org/app:1');
    expect(reference.dockerReference?.toString()).toBe('quay.io/org/app:1');
    expect(reference.policyIdentity()).toBe('quay.io/org/app:1');
    expect(reference.policyNamespaces()).toEqual(['quay.io/org/app', 'quay.io/org', 'quay.io']);
  });
});
