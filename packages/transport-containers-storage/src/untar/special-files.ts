// What Node's fs cannot make: device nodes and fifos (mknod, from coreutils, is on every
// system), and extended attributes (the fs-xattr addon).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IoError } from '@skopeo-ts/core';
import { loadFsXattr } from '../native-addons.js';

const run = promisify(execFile);

export async function makeNode(
  path: string,
  kind: 'char' | 'block' | 'fifo',
  major: number,
  minor: number,
): Promise<void> {
  const args =
    kind === 'fifo' ? [path, 'p'] : [path, kind === 'char' ? 'c' : 'b', String(major), String(minor)];
  try {
    await run('mknod', ['-m', '0000', '--', ...args]);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new IoError(`mknod (${kind} ${major}:${minor})`, path, new Error(detail));
  }
}

export async function setXattr(path: string, name: string, value: Buffer | string): Promise<void> {
  const { setAttribute } = await loadFsXattr();
  try {
    await setAttribute(path, name, value);
  } catch (error) {
    throw new IoError(`setxattr ${name}`, path, error);
  }
}
