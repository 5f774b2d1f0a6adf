// Unpacks an oci-archive tar into a private temp directory, streaming, and refuses anything that
// could write outside it: absolute names, `..`, links leading out, devices and FIFOs.
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, realpath, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { IoError, isSkopeoError, SkopeoError, throwIfAborted } from '@skopeo-ts/core';
import type { Header } from 'tar-stream';
import { abortedOr, errnoCode, isNotFound, layoutNotFound } from '../layout/errors.js';
import { feedExtractor } from './tar-streams.js';

/** A streamx readable as a plain async iterable, which Node's pipeline() takes as a source. */
async function* chunksOf(source: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  for await (const chunk of source) yield chunk as Buffer;
}

/** Refuses an archive member, naming it and the archive: the archive is damaged or hostile. */
function refuse(label: string, member: string, reason: string): SkopeoError {
  return new SkopeoError(
    'CORRUPT',
    `${label}: refusing archive member ${JSON.stringify(member)}: ${reason}`,
    {
      hint: 'the archive was not written by skopeo or skopeo-ts, or it was tampered with',
    },
  );
}

/** The member's path as components below the root; refuses absolute paths and `..`. */
function memberParts(label: string, name: string): string[] {
  if (name.startsWith('/') || isAbsolute(name)) throw refuse(label, name, 'absolute paths are not allowed');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse(label, name, '".." would leave the archive root');
  return parts;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Resolves the deepest existing ancestor of `path` through symlinks: it must stay inside root. */
async function checkNoEscape(root: string, path: string, label: string, member: string): Promise<void> {
  let existing = path;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!isInside(root, real))
        throw refuse(label, member, 'a symlink in its path leads outside the archive');
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      existing = dirname(existing);
    }
  }
}

/** Removes whatever an earlier member of the same name left (a later member wins, as in tar). */
async function clearPath(path: string): Promise<void> {
  try {
    const stats = await lstat(path);
    if (!stats.isDirectory()) await rm(path, { force: true });
  } catch {
    // nothing there
  }
}

/**
 * Extracts `archive` into `destination` (an existing empty directory). `label` names the archive
 * in errors; a missing archive is NOT_FOUND.
 */
export async function extractArchive(
  archive: string,
  destination: string,
  label: string,
  signal?: AbortSignal,
): Promise<void> {
  const root = await realpath(destination);
  const input = createReadStream(archive, { highWaterMark: 1024 * 1024 });
  const opened = new Promise<void>((resolveOpen, rejectOpen) => {
    input.once('open', () => resolveOpen());
    input.once('error', rejectOpen);
  });
  try {
    await opened;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT')
      throw layoutNotFound(`${label}: archive file ${archive} does not exist`, error);
    throw new IoError('opening', archive, error);
  }
  // Loaded on first use: plain oci: commands never pay for tar-stream's start-up.
  const { extract } = await import('tar-stream');
  const extractor = extract();
  const feeding = feedExtractor(input, extractor);
  const symlinks: { path: string; member: string }[] = [];
  try {
    for await (const entry of extractor) {
      throwIfAborted(signal);
      const { header } = entry;
      const parts = memberParts(label, header.name);
      const path = join(root, ...parts);
      if (parts.length > 0) await checkNoEscape(root, dirname(path), label, header.name);
      switch (header.type) {
        case 'directory':
          if (parts.length > 0) await mkdir(path, { recursive: true, mode: 0o755 });
          break;
        case 'file':
        case 'contiguous-file':
          if (parts.length === 0) throw refuse(label, header.name, 'a file cannot be the archive root');
          await mkdir(dirname(path), { recursive: true });
          await clearPath(path);
          await pipeline(chunksOf(entry), createWriteStream(path, { flags: 'wx', mode: 0o644 }));
          continue; // the body was consumed
        case 'symlink':
          await extractSymlink(root, path, header, label);
          symlinks.push({ path, member: header.name });
          break;
        case 'link':
          await extractHardlink(root, path, header, label);
          break;
        default:
          throw refuse(label, header.name, `${header.type} entries are not allowed in an OCI archive`);
      }
      for await (const _ of entry) {
        // no body for these types; drain so the extractor moves on
      }
    }
  } catch (error) {
    input.destroy();
    extractor.destroy();
    if (isSkopeoError(error)) throw error;
    const aborted = abortedOr(error, signal, `reading the archive ${archive}`);
    if (aborted !== error) throw aborted;
    const reason = error instanceof Error ? error.message : String(error);
    // A system error (EIO, ...) is I/O; anything else is tar-stream refusing the bytes
    // (a truncated archive, a broken header): the archive is damaged.
    if (errnoCode(error) !== undefined) {
      throw new SkopeoError('IO', `${label}: cannot read the archive ${archive}: ${reason}`, {
        cause: error,
      });
    }
    throw new SkopeoError('CORRUPT', `${label}: the archive ${archive} is damaged: ${reason}`, {
      cause: error,
      hint: 'the archive is truncated or is not a tar file: write it again',
    });
  } finally {
    await feeding;
  }
  // A chain of symlinks can lead out even when each one looks inside: check where they end up.
  for (const { path, member } of symlinks) {
    const real = await realpath(path).catch(() => undefined);
    if (real !== undefined && !isInside(root, real))
      throw refuse(label, member, 'the symlink leads outside the archive');
  }
}

async function extractSymlink(root: string, path: string, header: Header, label: string): Promise<void> {
  const target = header.linkname ?? '';
  if (target === '' || isAbsolute(target))
    throw refuse(label, header.name, 'symlinks must be relative and not empty');
  if (!isInside(root, resolve(dirname(path), target))) {
    throw refuse(label, header.name, `the symlink target ${JSON.stringify(target)} is outside the archive`);
  }
  await mkdir(dirname(path), { recursive: true });
  await clearPath(path);
  await symlink(target, path);
}

async function extractHardlink(root: string, path: string, header: Header, label: string): Promise<void> {
  const targetParts = memberParts(label, header.linkname ?? '');
  const target = join(root, ...targetParts);
  const stats = await lstat(target).catch(() => undefined);
  if (stats === undefined || !stats.isFile()) {
    throw refuse(
      label,
      header.name,
      `the hard link target ${JSON.stringify(header.linkname)} is not an earlier file of the archive`,
    );
  }
  await checkNoEscape(root, dirname(target), label, header.name);
  await mkdir(dirname(path), { recursive: true });
  await clearPath(path);
  await link(target, path);
}
