// Where a docker-archive file is written. Like skopeo, a non-empty existing file is refused (the
// transport never modifies archives). Unlike skopeo, nothing is visible until commit: the tar
// goes to a temp file beside the target, published with link() (or rename() over an empty file)
// so a writer that finished first is never overwritten. Devices and FIFOs (/dev/stdout) are
// written to directly.
import { createWriteStream, type Stats, type WriteStream } from 'node:fs';
import { link, mkdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { IoError, SkopeoError } from '@skopeo-ts/core';
import { errnoCode, io } from '../errors.js';
import { openWriteStream } from '../std-streams.js';

export interface FileTarget {
  output: NodeJS.WritableStream;
  /** Makes the written archive visible at the target (after the output finished). */
  publish(): Promise<void>;
  /** Removes whatever was written (temp files only; a device cannot be un-written). */
  discard(): Promise<void>;
}

function notEmpty(label: string, path: string): SkopeoError {
  return new SkopeoError(
    'CONFLICT',
    `${label}: docker-archive doesn't support modifying existing images: ${path} exists and is not empty`,
    {
      hint: 'remove the file or choose another path; to put several images in one archive, copy them in one command',
    },
  );
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new IoError('reading', path, error);
  }
}

export interface FileTargetOptions {
  /** Replace an existing archive (atomically) instead of refusing it. */
  replaceExisting: boolean;
}

export async function openFileTarget(
  target: string,
  label: string,
  options: FileTargetOptions,
): Promise<FileTarget> {
  const stats = await statOrUndefined(target);
  if (stats?.isDirectory()) throw new IoError('writing the archive', target, new Error('it is a directory'));
  if (stats !== undefined && !stats.isFile()) {
    const output = await openWriteStream(target).catch((error: unknown) => {
      throw new IoError('opening', target, error);
    });
    return { output, publish: async () => {}, discard: async () => {} };
  }
  if (stats !== undefined && stats.size > 0 && !options.replaceExisting) throw notEmpty(label, target);
  // A symlink to an empty file keeps being one: write beside the file it points to.
  const final = stats === undefined ? target : await realpath(target);
  const parent = dirname(final);
  await io('creating', parent, () => mkdir(parent, { recursive: true }));
  const temp = join(
    parent,
    `.${basename(final)}.skopeo-ts-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  const output = createWriteStream(temp, { flags: 'wx', mode: 0o644, flush: true });
  return {
    output,
    publish: async () => {
      if (options.replaceExisting) {
        await io('replacing', final, () => rename(temp, final)).catch(async (error: unknown) => {
          await rm(temp, { force: true });
          throw error;
        });
        return;
      }
      try {
        await link(temp, final);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') {
          await rm(temp, { force: true });
          throw new IoError('publishing the archive at', final, error);
        }
        // Only an empty file may be replaced; anything else was written by someone else meanwhile.
        const now = await statOrUndefined(final);
        if (now === undefined || !now.isFile() || now.size > 0) {
          await rm(temp, { force: true });
          throw notEmpty(label, final);
        }
        await io('replacing', final, () => rename(temp, final));
        return;
      }
      await unlink(temp).catch(() => {});
    },
    discard: async () => {
      // The stream opens its file on the thread pool: removing it before that open has run
      // would let the open create it again afterwards. Once closed, it is opened no more.
      await destroyAndWaitForClose(output);
      await rm(temp, { force: true });
    },
  };
}

/** Destroys a file stream and resolves once its descriptor (if it got one) is closed. */
function destroyAndWaitForClose(output: WriteStream): Promise<void> {
  if (output.closed) return Promise.resolve();
  return new Promise((resolve) => {
    output.once('close', () => resolve());
    output.destroy();
  });
}
