// Writing layer tars with tar-stream: generated entries (fixtures) and real directory trees
// (benchmarks). Headers are normalised (owner root, fixed mtime) so the same input gives the
// same tar bytes, and file bodies are streamed with backpressure, never held whole.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Header, Pack } from 'tar-stream';
import { deterministicChunks } from './content.js';

/** Timestamp used for tar headers and config dates unless a spec says otherwise. */
export const FIXED_DATE = new Date('2024-01-01T00:00:00Z');

/** One entry of a generated layer. Paths are relative to the layer root (`usr/bin/tool`). */
export type TarEntrySpec =
  | {
      type: 'file';
      path: string;
      /** Literal content... */
      content?: string | Uint8Array;
      /** ...or this many deterministic pseudo-random bytes derived from `seed` (default: the path). */
      size?: number;
      seed?: string;
      mode?: number;
    }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  /** A hard link to `target`, an earlier path of the same layer. */
  | { type: 'hardlink'; path: string; target: string }
  /** Deletes `path` from lower layers: written as `<dir>/.wh.<name>`. */
  | { type: 'whiteout'; path: string }
  /** Hides everything lower layers had in directory `path`: written as `<path>/.wh..wh..opq`. */
  | { type: 'opaque'; path: string };

export interface TarHeaderDefaults {
  mtime: Date;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

export const DEFAULT_HEADER: TarHeaderDefaults = { mtime: FIXED_DATE, uid: 0, gid: 0, uname: '', gname: '' };

/** Layer paths carry no leading `/` or `./`; directories end in `/` as Docker's own tars do. */
export function layerPath(path: string, isDirectory = false): string {
  let out = path.replace(/^(\.?\/)+/, '');
  while (out.endsWith('/')) out = out.slice(0, -1);
  return isDirectory && out !== '' ? `${out}/` : out;
}

function splitParent(path: string): { dir: string; name: string } {
  const clean = layerPath(path);
  const slash = clean.lastIndexOf('/');
  return slash < 0
    ? { dir: '', name: clean }
    : { dir: clean.slice(0, slash + 1), name: clean.slice(slash + 1) };
}

/** Waits until a tar-stream (streamx) writable can take more data; fails if it is torn down. */
export function drained(sink: NodeJS.EventEmitter & { destroying?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sink.destroying) {
      reject(new Error('tar stream closed before all data was written'));
      return;
    }
    const onDrain = () => {
      sink.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      sink.off('drain', onDrain);
      reject(new Error('tar stream closed before all data was written'));
    };
    sink.once('drain', onDrain);
    sink.once('close', onClose);
  });
}

/** Adds one entry; `body` must yield exactly `header.size` bytes for files. */
export async function addTarEntry(
  pack: Pack,
  header: Header | (Partial<Header> & { name: string }),
  body?: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
  });
  // Awaited below; handled now so an early failure is not reported as unhandled meanwhile.
  finished.catch(() => {});
  if (body !== undefined) {
    for await (const chunk of body) {
      if (!sink.write(chunk)) await drained(sink);
    }
  }
  if (header.type === 'file' || header.type === undefined) sink.end(undefined);
  await finished;
}

/** Writes generated entries in the given order (order is part of the layer's digest). */
export async function packEntries(
  pack: Pack,
  entries: readonly TarEntrySpec[],
  defaults: TarHeaderDefaults = DEFAULT_HEADER,
): Promise<void> {
  for (const entry of entries) {
    const base = {
      mtime: defaults.mtime,
      uid: defaults.uid,
      gid: defaults.gid,
      uname: defaults.uname,
      gname: defaults.gname,
    };
    switch (entry.type) {
      case 'file': {
        const name = layerPath(entry.path);
        const mode = entry.mode ?? 0o644;
        if (entry.content !== undefined) {
          const bytes = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
          await addTarEntry(pack, { ...base, name, mode, type: 'file', size: bytes.length }, [bytes]);
        } else {
          const size = entry.size ?? 0;
          const body = deterministicChunks(entry.seed ?? name, size);
          await addTarEntry(pack, { ...base, name, mode, type: 'file', size }, body);
        }
        break;
      }
      case 'dir':
        await addTarEntry(pack, {
          ...base,
          name: layerPath(entry.path, true),
          mode: entry.mode ?? 0o755,
          type: 'directory',
        });
        break;
      case 'symlink':
        await addTarEntry(pack, {
          ...base,
          name: layerPath(entry.path),
          mode: 0o777,
          type: 'symlink',
          linkname: entry.target,
        });
        break;
      case 'hardlink':
        await addTarEntry(pack, {
          ...base,
          name: layerPath(entry.path),
          mode: 0o644,
          type: 'link',
          linkname: layerPath(entry.target),
        });
        break;
      case 'whiteout': {
        const { dir, name } = splitParent(entry.path);
        await addTarEntry(pack, { ...base, name: `${dir}.wh.${name}`, mode: 0o644, type: 'file', size: 0 });
        break;
      }
      case 'opaque':
        await addTarEntry(pack, {
          ...base,
          name: `${layerPath(entry.path, true)}.wh..wh..opq`,
          mode: 0o644,
          type: 'file',
          size: 0,
        });
        break;
    }
  }
}

export interface PackDirectoryOptions {
  /** Put the tree under this path in the layer (e.g. `usr` for `/usr`); default: at the root. */
  prefix?: string;
  /** Header mtime: a fixed date (default {@link FIXED_DATE}) or `'source'` to keep the files' own. */
  mtime?: Date | 'source';
  /** Record files with several links once and hard-link the rest (default true). */
  hardlinks?: boolean;
  /** Leave out entries for which this returns false (`relPath` is relative to the source root). */
  filter?: (relPath: string) => boolean;
}

/**
 * Tars a real directory tree in sorted order, streaming each file. Owners become root; sockets,
 * FIFOs and devices are left out (layers built for tests and benchmarks do not need them).
 */
export async function packDirectory(
  pack: Pack,
  root: string,
  options: PackDirectoryOptions = {},
): Promise<void> {
  const prefix = layerPath(options.prefix ?? '');
  const hardlinks = options.hardlinks ?? true;
  const seen = new Map<string, string>();
  const headerBase = (mtime: Date) => ({ mtime, uid: 0, gid: 0, uname: '', gname: '' });
  const fixedMtime = options.mtime instanceof Date ? options.mtime : FIXED_DATE;
  const mtimeOf = (stats: { mtime: Date }) => (options.mtime === 'source' ? stats.mtime : fixedMtime);

  // Parent directories of the prefix, so extracting the layer creates them with sane modes.
  if (prefix !== '') {
    const parts = prefix.split('/');
    for (let i = 1; i < parts.length; i++) {
      await addTarEntry(pack, {
        ...headerBase(fixedMtime),
        name: `${parts.slice(0, i).join('/')}/`,
        mode: 0o755,
        type: 'directory',
      });
    }
  }

  const walk = async (absolute: string, relative: string): Promise<void> => {
    const stats = await lstat(absolute);
    const inLayer = [prefix, relative].filter((part) => part !== '').join('/');
    const header = { ...headerBase(mtimeOf(stats)), mode: stats.mode & 0o7777 };
    if (stats.isDirectory()) {
      if (inLayer !== '') await addTarEntry(pack, { ...header, name: `${inLayer}/`, type: 'directory' });
      const names = (await readdir(absolute)).sort();
      for (const name of names) {
        const childRelative = relative === '' ? name : `${relative}/${name}`;
        if (options.filter && !options.filter(childRelative)) continue;
        await walk(join(absolute, name), childRelative);
      }
    } else if (stats.isSymbolicLink()) {
      await addTarEntry(pack, {
        ...header,
        name: inLayer,
        type: 'symlink',
        linkname: await readlink(absolute),
      });
    } else if (stats.isFile()) {
      const key = `${stats.dev}:${stats.ino}`;
      const first = hardlinks && stats.nlink > 1 ? seen.get(key) : undefined;
      if (first !== undefined) {
        await addTarEntry(pack, { ...header, name: inLayer, type: 'link', linkname: first });
        return;
      }
      if (hardlinks && stats.nlink > 1) seen.set(key, inLayer);
      const body = createReadStream(absolute, { highWaterMark: 1024 * 1024 });
      await addTarEntry(pack, { ...header, name: inLayer, type: 'file', size: stats.size }, body);
    }
  };
  await walk(root, '');
}
