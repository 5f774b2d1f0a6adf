// Streams a staged layout into an oci-archive tar: written to a temp file next to the target and
// renamed over it, so the target is either the old archive or the complete new one. Devices and
// FIFOs (e.g. /dev/stdout) are written to directly, as skopeo does.
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IoError, throwIfAborted } from '@skopeo-ts/core';
import type { Pack } from 'tar-stream';
import { abortedOr, errnoCode, io } from '../layout/errors.js';
import { LOCK_FILE } from '../layout/paths.js';
import { isTempName, syncDirectory, tempName } from '../layout/temp-files.js';
import { addEntry } from './tar-streams.js';

/** Adds `dir`'s tree in sorted order (as containers/storage's archiver), owners root. */
async function packTree(pack: Pack, dir: string, prefix: string, signal?: AbortSignal): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    throwIfAborted(signal);
    if (prefix === '' && (name === LOCK_FILE || isTempName(name))) continue;
    const path = join(dir, name);
    const stats = await stat(path);
    const base = { uid: 0, gid: 0, uname: '', gname: '', mtime: stats.mtime };
    if (stats.isDirectory()) {
      await addEntry(pack, { ...base, name: `${prefix}${name}/`, type: 'directory', mode: 0o755 });
      await packTree(pack, path, `${prefix}${name}/`, signal);
    } else if (stats.isFile()) {
      const body = createReadStream(path, { highWaterMark: 1024 * 1024 });
      await addEntry(
        pack,
        { ...base, name: `${prefix}${name}`, type: 'file', mode: 0o644, size: stats.size },
        body,
      );
    }
  }
}

/** Where to write: the target itself (devices, FIFOs) or a temp file beside its real path. */
async function plan(target: string): Promise<{ direct: boolean; final: string }> {
  let stats: Stats;
  try {
    stats = await stat(target);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { direct: false, final: target };
    throw new IoError('reading', target, error);
  }
  if (stats.isDirectory()) throw new IoError('writing the archive', target, new Error('it is a directory'));
  if (!stats.isFile()) return { direct: true, final: target };
  return { direct: false, final: await realpath(target) }; // a symlink to a file keeps being one
}

/** Writes the layout in `layoutDir` as the tar file `target`. */
export async function packLayout(layoutDir: string, target: string, signal?: AbortSignal): Promise<void> {
  const { direct, final } = await plan(target);
  const parent = dirname(final);
  if (!direct) await io('creating', parent, () => mkdir(parent, { recursive: true }));
  const output = direct ? final : join(parent, `${tempName()}-${basename(final)}`);
  // Loaded on first use: plain oci: commands never pay for tar-stream's start-up.
  const { pack: createPack } = await import('tar-stream');
  const pack = createPack();
  const sink = createWriteStream(output, { flags: direct ? 'w' : 'wx', mode: 0o644, flush: !direct });
  let sinkError: unknown;
  sink.once('error', (error) => {
    sinkError = error;
  });
  const writing = pipeline(Readable.from(pack, { objectMode: false }), sink, signal ? { signal } : {});
  const filling = (async () => {
    try {
      await packTree(pack, layoutDir, '', signal);
      pack.finalize();
    } catch (error) {
      pack.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  })();
  const [written, filled] = await Promise.allSettled([writing, filling]);
  try {
    // An abort fails both sides (with AbortErrors, or our file's stream with its own): it is
    // reported as the abort it is, not as an I/O error.
    const failure =
      written.status === 'rejected'
        ? written.reason
        : filled.status === 'rejected'
          ? filled.reason
          : undefined;
    if (failure !== undefined) {
      const aborted = abortedOr(failure, signal, `writing the archive ${final}`);
      if (aborted !== failure) throw aborted;
    }
    // A write failure (disk full) also fails the filling side with a vaguer error: report the write's.
    if (written.status === 'rejected') {
      throw written.reason === sinkError ? new IoError('writing', final, written.reason) : written.reason;
    }
    if (filled.status === 'rejected') throw filled.reason;
    if (!direct) {
      await io('replacing', final, () => rename(output, final));
      await syncDirectory(parent);
    }
  } catch (error) {
    if (!direct) await rm(output, { force: true });
    throw error;
  }
}
