// overlay: each layer's own changes in `G/overlay/<id>/diff`, a short name `link` with a symlink
// `l/<link> -> ../<id>/diff`, and `lower` listing the parents' short names (nearest first), so
// podman can mount `lowerdir=l/…:l/…,upperdir=diff,workdir=work`. Whiteouts are kernel format
// (0/0 char devices, opaque xattr), or `.wh.` files when a mount_program (fuse-overlayfs) is set.
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SkopeoError } from '@skopeo-ts/core';
import { directoryOpener, type FileOpener } from '@skopeo-ts/tar-split';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { UnpackOptions } from '../untar/unpacker.js';
import { isRoot, type LayerDriver } from './driver.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const LINK_LENGTH = 26;

/** 26 characters of base32 (A–Z, 2–7) from random bytes, as the overlay driver names links. */
export function newLinkName(): string {
  const bytes = randomBytes(17);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.slice(0, LINK_LENGTH);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export class OverlayDriver implements LayerDriver {
  readonly name = 'overlay';
  readonly home: string;

  constructor(
    graphRoot: string,
    /** `overlay.mount_program`, e.g. /usr/bin/fuse-overlayfs; undefined for kernel overlay. */
    readonly mountProgram: string | undefined,
  ) {
    this.home = join(graphRoot, 'overlay');
  }

  async init(): Promise<void> {
    await mkdir(this.home, { recursive: true, mode: 0o700 });
    // containers/storage makes l/ 0755 (verified), unlike its other directories.
    await mkdir(join(this.home, 'l'), { recursive: true, mode: 0o755 });
    const marker = join(this.home, '.has-mount-program');
    try {
      await writeFile(marker, this.mountProgram === undefined ? 'false' : 'true', {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  layerDir(id: string): string {
    return join(this.home, id);
  }

  private async readText(path: string): Promise<string | undefined> {
    try {
      return (await readFile(path, 'utf8')).trim();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Each layer's diff is independent of its parents': it can be unpacked in the driver's home. */
  get stagingHome(): string {
    return this.home;
  }

  async create(id: string, parent: string | undefined, stagedDiff?: string): Promise<UnpackOptions> {
    const dir = this.layerDir(id);
    await mkdir(dir, { mode: 0o700 });
    const diff = join(dir, 'diff');
    if (stagedDiff === undefined) await mkdir(diff, { mode: 0o755 });
    else await rename(stagedDiff, diff);
    let rootMode = 0o555;
    const link = newLinkName();
    // Never empty, even after a kill -9: podman 4.3 (containers/storage 1.43) removes an
    // incomplete layer's `l/<link>` with RemoveAll, and an empty link names all of `l/`.
    await writeFileAtomic(join(dir, 'link'), link, 0o644);
    await symlink(`../${id}/diff`, join(this.home, 'l', link));
    if (parent === undefined) {
      await mkdir(join(dir, 'empty'), { mode: 0o700 });
    } else {
      const parentLink = await this.readText(join(this.layerDir(parent), 'link'));
      if (parentLink === undefined) {
        throw new SkopeoError(
          'CORRUPT',
          `overlay layer ${parent} has no "link" file in ${this.layerDir(parent)}`,
        );
      }
      const parentLower = await this.readText(join(this.layerDir(parent), 'lower'));
      const lower =
        parentLower === undefined || parentLower === ''
          ? `l/${parentLink}`
          : `l/${parentLink}:${parentLower}`;
      await writeFileAtomic(join(dir, 'lower'), lower, 0o644);
      rootMode = (await lstat(join(this.layerDir(parent), 'diff'))).mode & 0o7777;
    }
    await mkdir(join(dir, 'work'), { mode: 0o700 });
    await mkdir(join(dir, 'merged'), { mode: 0o700 });
    // The diff's root takes the parent's mode (a staged one was unpacked before that was known).
    if (stagedDiff !== undefined) await chmod(diff, rootMode);
    return this.stagedUnpackOptions(diff, rootMode);
  }

  /** A staged diff stays writable (0755) until create() gives it the parent's mode. */
  stagedUnpackOptions(diffDir: string, rootMode = 0o755): UnpackOptions {
    const root = isRoot();
    return {
      root: diffDir,
      applyRootEntry: false,
      whiteouts: this.mountProgram === undefined ? 'kernel' : 'aufs',
      opaqueXattr: root ? 'trusted.overlay.opaque' : 'user.overlay.opaque',
      chown: root,
      rootMode,
    };
  }

  async remove(id: string): Promise<void> {
    const link = await this.readText(join(this.layerDir(id), 'link'));
    if (link !== undefined && /^[A-Z2-7]+$/.test(link)) await rm(join(this.home, 'l', link), { force: true });
    await rm(this.layerDir(id), { recursive: true, force: true });
  }

  /** The layer's diff first, then each lower layer nearest first. */
  async opener(id: string): Promise<FileOpener> {
    const lower = await this.readText(join(this.layerDir(id), 'lower'));
    const dirs = [join(this.layerDir(id), 'diff')];
    for (const entry of (lower ?? '').split(':')) {
      if (entry !== '') dirs.push(join(this.home, entry));
    }
    return directoryOpener(dirs);
  }
}
