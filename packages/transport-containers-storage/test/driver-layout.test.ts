// Whiteouts and opaque directories land as each driver expects, and podman's mount of what we
// wrote shows the right merged tree.
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures } from '@skopeo-ts/testkit';
import { getAttribute } from 'fs-xattr';
import { describe, expect, it } from 'vitest';
import { layerId } from '../src/index.js';
import { DRIVER_SETUPS, oci, podman, type TestStore, useTempDirs } from './helpers.js';

const temp = useTempDirs();

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function expectMergedTree(root: string): Promise<void> {
  expect(await readFile(join(root, 'etc/demo.conf'), 'utf8')).toBe('answer = 42\n');
  expect(await readFile(join(root, 'etc/os-release'), 'utf8')).toBe('ID=testkit\nVERSION_ID=1\n');
  expect(await exists(join(root, 'usr/lib/libdemo.so'))).toBe(false);
  expect(await exists(join(root, 'usr/lib/libdemo.so.1'))).toBe(true);
  expect(await exists(join(root, 'var/cache/demo/a.bin'))).toBe(false);
  expect((await stat(join(root, 'var/cache/demo/c.bin'))).size).toBe(8192);
  expect(await exists(join(root, 'opt/legacy'))).toBe(false);
  expect(await readlink(join(root, 'data/config'))).toBe('/etc/demo.conf');
  expect((await stat(join(root, 'usr/bin/tool'))).mode & 0o7777).toBe(0o755);
  expect((await stat(join(root, 'data'))).mode & 0o7777).toBe(0o700);
}

async function writeFixture(
  setup: (typeof DRIVER_SETUPS)[number],
): Promise<{ store: TestStore; ids: string[] }> {
  const scratch = await temp.dir();
  const image = await buildOciImage(`${scratch}/layout`, fixtures.multiLayer(), { tag: 'v1' });
  const store = await temp.store(setup);
  await copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/demo:v1'));
  const ids: string[] = [];
  for (const diffId of image.diffIds) ids.push(layerId(ids.at(-1), diffId));
  return { store, ids };
}

describe.each(DRIVER_SETUPS)('%s: layers on disk', (setup) => {
  it('podman image mount shows the merged tree', async () => {
    const { store } = await writeFixture(setup);
    const mountPoint = (await podman(store, ['image', 'mount', 'localhost/demo:v1'])).trim();
    try {
      await expectMergedTree(mountPoint);
    } finally {
      await podman(store, ['image', 'unmount', 'localhost/demo:v1']);
    }
  });

  it('stores whiteouts and opaque directories in the driver format', async () => {
    const { store, ids } = await writeFixture(setup);
    const [base, update, data] = ids as [string, string, string];
    if (setup === 'vfs') {
      const top = join(store.graphRoot, 'vfs/dir', data);
      await expectMergedTree(top);
      expect(await exists(join(top, 'usr/lib/.wh.libdemo.so'))).toBe(false);
      expect(await exists(join(store.graphRoot, 'vfs/dir', base, 'usr/lib/libdemo.so'))).toBe(true);
      return;
    }
    const diff = (id: string) => join(store.graphRoot, 'overlay', id, 'diff');
    const link = await readFile(join(store.graphRoot, 'overlay', update, 'link'), 'utf8');
    expect(link).toMatch(/^[A-Z2-7]{26}$/);
    expect(await readlink(join(store.graphRoot, 'overlay/l', link))).toBe(`../${update}/diff`);
    const baseLink = await readFile(join(store.graphRoot, 'overlay', base, 'link'), 'utf8');
    expect(await readFile(join(store.graphRoot, 'overlay', data, 'lower'), 'utf8')).toBe(
      `l/${link}:l/${baseLink}`,
    );
    expect(await exists(join(store.graphRoot, 'overlay', base, 'empty'))).toBe(true);
    expect((await stat(diff(base))).mode & 0o7777).toBe(0o555);
    if (setup === 'overlay') {
      const whiteout = await lstat(join(diff(update), 'usr/lib/libdemo.so'));
      expect(whiteout.isCharacterDevice()).toBe(true);
      expect(whiteout.rdev).toBe(0);
      expect(whiteout.mode & 0o7777).toBe(0);
      expect(
        (await getAttribute(join(diff(update), 'var/cache/demo'), 'trusted.overlay.opaque')).toString(),
      ).toBe('y');
      expect((await lstat(join(diff(data), 'opt/legacy'))).isCharacterDevice()).toBe(true);
      expect(await readFile(join(store.graphRoot, 'overlay/.has-mount-program'), 'utf8')).toBe('false');
    } else {
      expect((await lstat(join(diff(update), 'usr/lib/.wh.libdemo.so'))).isFile()).toBe(true);
      expect((await lstat(join(diff(update), 'var/cache/demo/.wh..wh..opq'))).isFile()).toBe(true);
      expect(await readFile(join(store.graphRoot, 'overlay/.has-mount-program'), 'utf8')).toBe('true');
    }
  });
});
