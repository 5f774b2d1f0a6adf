// Our locks are the ones containers/storage takes: POSIX record locks that podman waits for, and
// the 64-byte last-writer token rewritten before each change.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, requirePeer } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { lockFile, newLastWriterToken } from '../src/store/lock-file.js';
import { oci, podman, useTempDirs } from './helpers.js';

const temp = useTempDirs();
const run = promisify(execFile);

/** Whether another process can take a POSIX write lock on `path` right now (python's lockf is fcntl). */
async function writeLockFromAnotherProcess(path: string): Promise<boolean> {
  const script =
    'import fcntl, sys\nf = open(sys.argv[1], "r+")\ntry:\n    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n    print("locked")\nexcept OSError:\n    print("busy")\n';
  const { stdout } = await run(requirePeer('python3', 'python3'), ['-c', script, path]);
  return stdout.trim() === 'locked';
}

describe('store locks', () => {
  it('podman waits while we hold layers.lock, and goes on when we release it', async () => {
    const scratch = await temp.dir();
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'v1' });
    const store = await temp.store('vfs');
    await copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/one:v1'));
    const lock = await lockFile(join(store.graphRoot, 'vfs-layers/layers.lock'), 'write');
    let finished = false;
    const listing = podman(store, ['images', '--format', 'json']).then((out) => {
      finished = true;
      return out;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(finished).toBe(false);
    await lock.release();
    expect(JSON.parse(await listing)).toHaveLength(1);
  });

  it('writes a fresh 64-byte token before changing layers.json', async () => {
    const scratch = await temp.dir();
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'v1' });
    await buildOciImage(`${scratch}/layout`, fixtures.multiLayer(), { tag: 'v2' });
    const store = await temp.store('overlay');
    await copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/one:v1'));
    const lockPath = join(store.graphRoot, 'overlay-layers/layers.lock');
    const first = await readFile(lockPath);
    expect(first).toHaveLength(64);
    expect(first.readUInt32LE(16)).toBe(process.pid);
    expect((await stat(lockPath)).mode & 0o777).toBe(0o644);
    await copyImage(oci(`${scratch}/layout:v2`), store.ref('localhost/two:v1'));
    expect((await readFile(lockPath)).equals(first)).toBe(false);
    expect(newLastWriterToken().equals(newLastWriterToken())).toBe(false);
  });

  it('queues holders within one process (POSIX locks do not exclude the same process)', async () => {
    const dir = await temp.dir();
    const path = join(dir, 'x.lock');
    const first = await lockFile(path, 'write');
    let second = false;
    const waiting = lockFile(path, 'write').then((lock) => {
      second = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(second).toBe(false);
    await first.release();
    await (await waiting).release();
    expect(second).toBe(true);
  });

  it('a reader that comes while the last one lets go waits for its fd to close, and holds the lock', async () => {
    // Closing any fd of the file drops every POSIX lock this process holds on it: a new reader's
    // lock taken before the last reader's fd is closed would be gone without anyone knowing.
    const path = join(await temp.dir(), 'y.lock');
    for (let round = 0; round < 5; round++) {
      const order: string[] = [];
      const first = await lockFile(path, 'read');
      const letGo = first.release().then(() => order.push('first let go'));
      const next = await lockFile(path, 'read').then((lock) => {
        order.push('next holds');
        return lock;
      });
      await letGo;
      expect(order).toEqual(['first let go', 'next holds']);
      expect(await writeLockFromAnotherProcess(path)).toBe(false);
      await next.release();
    }
    expect(await writeLockFromAnotherProcess(path)).toBe(true);
  });

  it('a layer being read cannot be deleted: readers share layers.lock, a delete waits for them', async () => {
    const scratch = await temp.dir();
    await buildOciImage(`${scratch}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    const store = await temp.store('overlay');
    await copyImage(oci(`${scratch}/layout:v1`), store.ref('localhost/one:v1'));
    const source = await store.ref('localhost/one:v1').newSource({});
    const layers = (await source.layerInfosForCopy?.()) ?? [];
    const [first, second] = await Promise.all(layers.slice(0, 2).map((layer) => source.getBlob(layer)));
    if (first === undefined || second === undefined) throw new Error('two layers expected');
    let deleted = false;
    const deleting = store
      .ref('localhost/one:v1')
      .delete({})
      .then(() => {
        deleted = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deleted).toBe(false);
    // Both reads go on (they share the lock), and the delete follows once they are done.
    first.stream.resume();
    await new Promise((resolve) => first.stream.once('close', resolve));
    expect(deleted).toBe(false);
    second.stream.destroy();
    await deleting;
    await source.close();
    expect(JSON.parse(await podman(store, ['images', '--format', 'json']))).toEqual([]);
  });
});
