// Opens an archive path as a seekable, uncompressed tar file. A regular uncompressed file is used
// in place; a compressed one (detected by magic bytes) or a stream (/dev/stdin, a pipe) is first
// spooled to a temp file, because manifest.json may come last and members are read by offset.
import { createWriteStream, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  type CompressionAlgorithm,
  type Context,
  detectCompression,
  ImageNotFoundError,
  IoError,
  peekStream,
  UnsupportedError,
} from '@skopeo-ts/core';
import { abortedOr, corruptArchive, errnoCode, io } from '../errors.js';
import { openReadStream } from '../std-streams.js';
import { makeTempDir, removeTempDir } from '../temp-dir.js';

export interface TarFile {
  /** The uncompressed tar to read members from: the archive itself or a spooled copy. */
  path: string;
  handle: FileHandle;
  size: number;
  /** True when `path` is a temp copy. */
  spooled: boolean;
  close(): Promise<void>;
}

const MAGIC_BYTES = 6;

function unsupportedCompression(label: string, algorithm: CompressionAlgorithm): UnsupportedError {
  return new UnsupportedError(
    `${label}: the archive is ${algorithm}-compressed; docker-archive reads uncompressed and gzip-compressed archives only (zstd, xz and bzip2 are not supported yet)`,
    {
      hint: `decompress it first (e.g. ${algorithm === 'zstd' ? 'zstd -d' : algorithm === 'xz' ? 'xz -d' : 'bunzip2'} FILE) and read the .tar`,
    },
  );
}

async function statArchive(path: string, label: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new ImageNotFoundError(`${label}: archive file ${path} does not exist`, { cause: error });
    }
    throw new IoError('reading', path, error);
  }
}

export async function openTarFile(path: string, label: string, ctx: Context): Promise<TarFile> {
  const stats = await statArchive(path, label);
  if (stats.isDirectory())
    throw new IoError('reading the archive', path, new Error('it is a directory, not a file'));
  if (stats.isFile()) {
    if (stats.size === 0) throw new ImageNotFoundError(`${label}: archive file ${path} is empty`);
    const handle = await io('opening', path, () => open(path, 'r'));
    try {
      const head = Buffer.alloc(MAGIC_BYTES);
      await handle.read(head, 0, MAGIC_BYTES, 0);
      const compression = detectCompression(head);
      if (compression === 'none') {
        return { path, handle, size: stats.size, spooled: false, close: () => handle.close() };
      }
      if (compression !== 'gzip') throw unsupportedCompression(label, compression);
    } catch (error) {
      await handle.close();
      throw error;
    }
    await handle.close();
  }
  return spool(path, label, ctx);
}

/** Copies the (decompressed) archive into a private temp file and opens that. */
async function spool(path: string, label: string, ctx: Context): Promise<TarFile> {
  const dir = await makeTempDir(ctx, 'spool');
  const spooled = join(dir, 'archive.tar');
  try {
    const input = await openReadStream(path).catch((error: unknown) => {
      throw new IoError('opening', path, error);
    });
    const compression = detectCompression(await peekStream(input, MAGIC_BYTES));
    if (compression !== 'none' && compression !== 'gzip') {
      input.destroy();
      throw unsupportedCompression(label, compression);
    }
    const output = createWriteStream(spooled, { flags: 'wx', mode: 0o600 });
    const options = ctx.signal ? { signal: ctx.signal } : {};
    try {
      if (compression === 'gzip')
        await pipeline(input, createGunzip({ chunkSize: 128 * 1024 }), output, options);
      else await pipeline(input, output, options);
    } catch (error) {
      const aborted = abortedOr(error, ctx.signal, `reading ${path}`);
      if (aborted !== error) throw aborted;
      if (errnoCode(error)?.startsWith('Z_')) {
        throw corruptArchive(
          label,
          `${path} is not valid gzip data (truncated or damaged): ${(error as Error).message}`,
          error,
        );
      }
      throw new IoError('reading', path, error);
    }
    const handle = await io('opening', spooled, () => open(spooled, 'r'));
    const { size } = await handle.stat();
    if (size === 0) {
      await handle.close();
      throw new ImageNotFoundError(`${label}: ${path} holds no data`);
    }
    return {
      path: spooled,
      handle,
      size,
      spooled: true,
      close: async () => {
        await handle.close();
        await removeTempDir(dir);
      },
    };
  } catch (error) {
    await removeTempDir(dir);
    throw error;
  }
}
