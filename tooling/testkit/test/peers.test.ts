import { describe, expect, it } from 'vitest';
import { findPeer, freePort, makeTempDir, requirePeer } from '../src/index.js';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

describe('requirePeer', () => {
  it('finds the Debian peers this kit drives', () => {
    expect(requirePeer('skopeo', 'skopeo')).toMatch(/\/skopeo$/);
    expect(requirePeer('docker-registry', 'docker-registry')).toMatch(/\/docker-registry$/);
    expect(requirePeer('htpasswd', 'apache2-utils')).toMatch(/\/htpasswd$/);
  });

  it('fails for a missing binary, naming the package to install', () => {
    expect(() => requirePeer('no-such-binary-skopeo-ts', 'some-debian-package')).toThrow(
      'no-such-binary-skopeo-ts is not installed: install the Debian package some-debian-package ' +
        "(apt-get install -y some-debian-package), or run the README's test command which installs every test peer",
    );
    expect(findPeer('no-such-binary-skopeo-ts')).toBeUndefined();
  });

  it('looks in sbin dirs even when PATH lacks them', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(requirePeer('skopeo', 'skopeo')).toBe('/usr/bin/skopeo');
    } finally {
      process.env.PATH = saved;
    }
  });

  it('ignores files that are not executable', async () => {
    const dir = await makeTempDir('peers');
    try {
      await writeFile(join(dir.path, 'not-executable-peer'), '#!/bin/sh\n', { mode: 0o644 });
      const saved = process.env.PATH;
      process.env.PATH = dir.path;
      try {
        expect(findPeer('not-executable-peer')).toBeUndefined();
      } finally {
        process.env.PATH = saved;
      }
    } finally {
      await dir.cleanup();
    }
  });
});

describe('freePort and makeTempDir', () => {
  it('gives distinct loopback ports', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    for (const port of ports) expect(port).toBeGreaterThan(0);
    expect(new Set(ports).size).toBe(3);
  });

  it('makes a temp dir and removes it on cleanup', async () => {
    const dir = await makeTempDir('testkit-tmp');
    expect(dir.path).toMatch(/testkit-tmp-/);
    await writeFile(join(dir.path, 'file'), 'x');
    await dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
  });
});
