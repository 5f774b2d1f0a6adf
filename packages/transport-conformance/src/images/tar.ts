// Layer tars written in memory with tar-stream. Headers are fixed (root owner, one mtime) so the
// same entries always give the same bytes, and therefore the same digests, run after run.
import { type Header, pack } from 'tar-stream';

/** Timestamp of every generated tar entry and config. */
export const FIXED_DATE = new Date('2024-01-01T00:00:00Z');

/** One entry of a generated layer; paths are relative to the layer root, without a leading `/`. */
export type TarEntry =
  | { type: 'file'; path: string; content: string | Uint8Array; mode?: number }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  /** A hard link to an earlier path of the same layer. */
  | { type: 'hardlink'; path: string; target: string }
  /** Deletes `path` from the layers below: `<dir>/.wh.<name>`. */
  | { type: 'whiteout'; path: string }
  /** Hides what the layers below have in directory `path`: `<path>/.wh..wh..opq`. */
  | { type: 'opaque'; path: string };

function whiteoutName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? `.wh.${path}` : `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`;
}

function headerOf(entry: TarEntry): { header: Header | (Partial<Header> & { name: string }); body?: Buffer } {
  const base = { mtime: FIXED_DATE, uid: 0, gid: 0, uname: '', gname: '' };
  switch (entry.type) {
    case 'file': {
      const body = Buffer.from(entry.content);
      return {
        header: { ...base, name: entry.path, type: 'file', mode: entry.mode ?? 0o644, size: body.length },
        body,
      };
    }
    case 'dir':
      return { header: { ...base, name: `${entry.path}/`, type: 'directory', mode: entry.mode ?? 0o755 } };
    case 'symlink':
      return { header: { ...base, name: entry.path, type: 'symlink', mode: 0o777, linkname: entry.target } };
    case 'hardlink':
      return { header: { ...base, name: entry.path, type: 'link', mode: 0o644, linkname: entry.target } };
    case 'whiteout':
      return {
        header: { ...base, name: whiteoutName(entry.path), type: 'file', mode: 0o644, size: 0 },
        body: Buffer.alloc(0),
      };
    case 'opaque':
      return {
        header: { ...base, name: `${entry.path}/.wh..wh..opq`, type: 'file', mode: 0o644, size: 0 },
        body: Buffer.alloc(0),
      };
  }
}

/** The tar archive of `entries`, in order (order is part of the digest). */
export async function tarBytes(entries: readonly TarEntry[]): Promise<Uint8Array> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    archive.on('data', (chunk) => chunks.push(chunk as Buffer));
    archive.on('end', () => resolve());
    archive.on('error', (error: Error) => reject(error));
  });
  for (const entry of entries) {
    const { header, body } = headerOf(entry);
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (body === undefined) archive.entry(header, done);
      else archive.entry(header, body, done);
    });
  }
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * Offset of the first byte of the first non-empty regular file's content in a tar, so a test can
 * damage file data without breaking the archive's structure (a parser must not fail first).
 */
export function firstFileContentOffset(tar: Uint8Array): number | undefined {
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return undefined;
    const sizeText = Buffer.from(header.subarray(124, 136)).toString('latin1').replace(/\0.*$/s, '').trim();
    const size = sizeText === '' ? 0 : Number.parseInt(sizeText, 8);
    const typeflag = String.fromCharCode(header[156] ?? 0);
    if ((typeflag === '0' || typeflag === '\0') && size > 0) return offset + 512;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
