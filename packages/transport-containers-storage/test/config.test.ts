// The default store: storage.conf where containers/storage looks for it, else its defaults;
// the driver the store already uses when none is named.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStoreConfig, resolveStoreLocation } from '../src/index.js';
import { expectSkopeoError, useTempDirs } from './helpers.js';

const temp = useTempDirs();

describe('storage.conf', () => {
  it('reads CONTAINERS_STORAGE_CONF: roots, driver and overlay options', async () => {
    const dir = await temp.dir();
    const file = join(dir, 'storage.conf');
    await writeFile(
      file,
      [
        '[storage]',
        'driver = "overlay"',
        `graphroot = "${dir}/g"`,
        `runroot = "${dir}/r"`,
        '[storage.options.overlay]',
        'mount_program = "/usr/bin/fuse-overlayfs"',
        '',
      ].join('\n'),
    );
    const config = await loadStoreConfig({ env: { CONTAINERS_STORAGE_CONF: file } });
    expect(config).toEqual({
      driver: 'overlay',
      graphRoot: `${dir}/g`,
      runRoot: `${dir}/r`,
      options: ['overlay.mount_program=/usr/bin/fuse-overlayfs'],
      configFile: file,
    });
    const location = await resolveStoreLocation(undefined, { env: { CONTAINERS_STORAGE_CONF: file } });
    expect(location.driverOptions.get('mount_program')).toBe('/usr/bin/fuse-overlayfs');
  });

  it('a missing or broken CONTAINERS_STORAGE_CONF is an error naming it', async () => {
    const dir = await temp.dir();
    const missing = join(dir, 'none.conf');
    expect(
      (await expectSkopeoError(loadStoreConfig({ env: { CONTAINERS_STORAGE_CONF: missing } }), 'IO')).message,
    ).toContain(missing);
    const broken = join(dir, 'broken.conf');
    await writeFile(broken, '[storage\n');
    expect(
      (
        await expectSkopeoError(
          loadStoreConfig({ env: { CONTAINERS_STORAGE_CONF: broken } }),
          'INVALID_ARGUMENT',
        )
      ).message,
    ).toContain(broken);
  });

  it('falls back to the built-in defaults (Debian ships no storage.conf)', async () => {
    const config = await loadStoreConfig({ env: { _CONTAINERS_ROOTLESS_UID: '0' } });
    if (config.configFile === undefined) {
      expect(config).toMatchObject({
        graphRoot: '/var/lib/containers/storage',
        runRoot: '/run/containers/storage',
        driver: '',
      });
    }
  });

  it('uses the rootless defaults and ~/.config/containers/storage.conf for other users', async () => {
    const home = await temp.dir();
    const env = { _CONTAINERS_ROOTLESS_UID: '1000', HOME: home, XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(await loadStoreConfig({ env, homeDir: home })).toMatchObject({
      graphRoot: join(home, '.local/share/containers/storage'),
      runRoot: '/run/user/1000/containers',
    });
    await mkdir(join(home, '.config/containers'), { recursive: true });
    await writeFile(
      join(home, '.config/containers/storage.conf'),
      '[storage]\ndriver = "vfs"\nrootless_storage_path = "$HOME/s"\n',
    );
    expect(await loadStoreConfig({ env, homeDir: home })).toMatchObject({
      driver: 'vfs',
      graphRoot: join(home, 's'),
    });
  });

  it('takes the driver the store already uses when none is named', async () => {
    const dir = await temp.dir();
    const conf = join(dir, 'storage.conf');
    await writeFile(conf, `[storage]\ngraphroot = "${dir}/g"\nrunroot = "${dir}/r"\n`);
    const ctx = { env: { CONTAINERS_STORAGE_CONF: conf } };
    expect((await resolveStoreLocation(undefined, ctx)).driver).toBe('overlay');
    await mkdir(join(dir, 'g/vfs-layers'), { recursive: true });
    expect((await resolveStoreLocation(undefined, ctx)).driver).toBe('vfs');
    await expectSkopeoError(
      resolveStoreLocation({ driver: 'btrfs', graphRoot: undefined, runRoot: undefined, options: [] }, ctx),
      'UNSUPPORTED',
    );
  });
});
