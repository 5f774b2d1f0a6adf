// vfs: every layer is a complete root filesystem in `G/vfs/dir/<id>`, made by copying the
// parent's tree (cp -a keeps owners, modes, xattrs, hard links and special files) and applying
// the layer on top, whiteouts deleting.
import { execFile } from 'node:child_process';
import { lstat, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IoError } from '@skopeo-ts/core';
import { directoryOpener, type FileOpener } from '@skopeo-ts/tar-split';
import type { UnpackOptions } from '../untar/unpacker.js';
import { isRoot, type LayerDriver } from './driver.js';

const run = promisify(execFile);

export class VfsDriver implements LayerDriver {
  readonly name = 'vfs';
  readonly home: string;
  /** A vfs layer is its parent's tree plus its changes: nothing can be unpacked before the parent. */
  readonly stagingHome = undefined;

  constructor(graphRoot: string) {
    this.home = join(graphRoot, 'vfs', 'dir');
  }

  async init(): Promise<void> {
    await mkdir(this.home, { recursive: true, mode: 0o700 });
  }

  layerDir(id: string): string {
    return join(this.home, id);
  }

  async create(id: string, parent: string | undefined, stagedDiff?: string): Promise<UnpackOptions> {
    if (stagedDiff !== undefined) throw new Error('vfs layers cannot be created from a staged diff');
    const dir = this.layerDir(id);
    let rootMode = 0o555;
    if (parent === undefined) {
      await mkdir(dir, { mode: 0o755 });
    } else {
      const from = this.layerDir(parent);
      rootMode = (await lstat(from)).mode & 0o7777;
      try {
        await run('cp', ['-a', '--', from, dir]);
      } catch (error) {
        const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
        throw new IoError('copy the parent layer', from, new Error(detail));
      }
    }
    return {
      root: dir,
      applyRootEntry: true,
      whiteouts: 'apply',
      opaqueXattr: '',
      chown: isRoot(),
      rootMode,
    };
  }

  async remove(id: string): Promise<void> {
    await rm(this.layerDir(id), { recursive: true, force: true });
  }

  async opener(id: string): Promise<FileOpener> {
    return directoryOpener(this.layerDir(id));
  }
}
