// Indexes a tar file by reading its headers only (seeking over bodies), so members are later read
// by offset without extracting anything. Every rule against hostile archives is applied here:
// nothing outside the archive is ever named, and a truncated or lying archive is refused whole.
import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from '@skopeo-ts/core';
import { corruptArchive, refuseMember } from '../errors.js';
import { normalizeMemberName, symlinkTargetName } from './member-path.js';
import { BLOCK_SIZE, decodeHeader, parsePaxRecords, type RawHeader } from './tar-header.js';

export interface TarMember {
  /** Normalized name (no "./", no trailing "/"). */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  /** Where the body starts in the tar file. */
  dataOffset: number;
  size: number;
  /** Symlinks: the member they point to; hard links: the earlier member they name. */
  target: string | undefined;
}

/** pax and GNU long-name bodies are small; a bigger one is hostile. */
const MAX_META_BODY = 1024 * 1024;

export interface TarIndexOptions {
  label: string;
  signal: AbortSignal | undefined;
}

export async function indexTar(
  handle: FileHandle,
  fileSize: number,
  options: TarIndexOptions,
): Promise<Map<string, TarMember>> {
  const { label } = options;
  const members = new Map<string, TarMember>();
  const block = Buffer.alloc(BLOCK_SIZE);
  let offset = 0;
  let pending: { path?: string; linkpath?: string; size?: number } = {};
  for (;;) {
    throwIfAborted(options.signal);
    if (offset + BLOCK_SIZE > fileSize) {
      throw corruptArchive(
        label,
        `the archive is truncated: it ends at byte ${fileSize} without the tar end-of-archive marker`,
      );
    }
    const { bytesRead } = await handle.read(block, 0, BLOCK_SIZE, offset);
    if (bytesRead !== BLOCK_SIZE)
      throw corruptArchive(label, `the archive is truncated at byte ${offset + bytesRead}`);
    const decoded = decodeHeader(block);
    if ('end' in decoded) break;
    if ('problem' in decoded) throw corruptArchive(label, `${decoded.problem} (at byte ${offset})`);
    const header: RawHeader = decoded.header;
    const size = pending.size ?? header.size;
    const dataOffset = offset + BLOCK_SIZE;
    if (size > fileSize - dataOffset) {
      throw corruptArchive(
        label,
        `the archive is truncated or lies: member ${JSON.stringify(pending.path ?? header.name)} claims ${size} bytes but only ${Math.max(0, fileSize - dataOffset)} follow`,
      );
    }
    offset = dataOffset + Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE;
    switch (header.type) {
      case 'pax':
      case 'gnu-long-name':
      case 'gnu-long-link': {
        const body = await readMeta(handle, dataOffset, size, label, header.name);
        if (header.type === 'pax') pending = { ...pending, ...paxOverrides(body, label, header.name) };
        else if (header.type === 'gnu-long-name') pending.path = body.toString('utf8').replace(/\0+$/, '');
        else pending.linkpath = body.toString('utf8').replace(/\0+$/, '');
        continue;
      }
      case 'pax-global':
        continue; // defaults for later members; nothing docker save relies on
      default:
        break;
    }
    const rawName = pending.path ?? header.name;
    const linkname = pending.linkpath ?? header.linkname;
    pending = {};
    const member = checkedMember(members, header, rawName, linkname, dataOffset, size, label);
    if (member !== undefined) members.set(member.name, member);
  }
  return members;
}

async function readMeta(
  handle: FileHandle,
  offset: number,
  size: number,
  label: string,
  name: string,
): Promise<Buffer> {
  if (size > MAX_META_BODY)
    throw refuseMember(label, name, `an extended header of ${size} bytes is too large`);
  const body = Buffer.alloc(size);
  const { bytesRead } = await handle.read(body, 0, size, offset);
  if (bytesRead !== size)
    throw corruptArchive(label, `the archive is truncated inside the header of ${JSON.stringify(name)}`);
  return body;
}

function paxOverrides(
  body: Buffer,
  label: string,
  name: string,
): { path?: string; linkpath?: string; size?: number } {
  const records = parsePaxRecords(body);
  if (records === undefined) throw refuseMember(label, name, 'the pax extended header cannot be parsed');
  const overrides: { path?: string; linkpath?: string; size?: number } = {};
  const path = records.get('path');
  const linkpath = records.get('linkpath');
  const size = records.get('size');
  if (path !== undefined) overrides.path = path;
  if (linkpath !== undefined) overrides.linkpath = linkpath;
  if (size !== undefined) {
    if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) {
      throw refuseMember(label, name, `the pax size ${JSON.stringify(size)} is not a valid size`);
    }
    overrides.size = Number(size);
  }
  return overrides;
}

/** Applies the member rules; undefined for entries that name nothing (the root directory). */
function checkedMember(
  members: ReadonlyMap<string, TarMember>,
  header: RawHeader,
  rawName: string,
  linkname: string,
  dataOffset: number,
  size: number,
  label: string,
): TarMember | undefined {
  const normalized = normalizeMemberName(rawName);
  if ('problem' in normalized) throw refuseMember(label, rawName, normalized.problem);
  const { name } = normalized;
  if (name === '') {
    if (header.type === 'directory') return undefined;
    throw refuseMember(label, rawName, 'only a directory may name the archive root');
  }
  if (members.has(name)) throw refuseMember(label, rawName, 'the archive holds two members of this name');
  switch (header.type) {
    case 'file':
    case 'directory':
      return {
        name,
        type: header.type,
        dataOffset,
        size: header.type === 'file' ? size : 0,
        target: undefined,
      };
    case 'symlink': {
      const target = symlinkTargetName(name, linkname);
      if ('problem' in target) throw refuseMember(label, rawName, target.problem);
      return { name, type: 'symlink', dataOffset, size: 0, target: target.name };
    }
    case 'link': {
      const target = normalizeMemberName(linkname);
      if ('problem' in target) throw refuseMember(label, rawName, `the hard link target: ${target.problem}`);
      if (!members.has(target.name)) {
        throw refuseMember(
          label,
          rawName,
          `the hard link target ${JSON.stringify(linkname)} is not an earlier member`,
        );
      }
      return { name, type: 'link', dataOffset, size: 0, target: target.name };
    }
    case 'device':
      throw refuseMember(label, rawName, 'device files are not allowed in a docker save archive');
    case 'fifo':
      throw refuseMember(label, rawName, 'FIFOs are not allowed in a docker save archive');
    default:
      throw refuseMember(
        label,
        rawName,
        `tar entries of type ${JSON.stringify(header.typeflag)} are not allowed in a docker save archive`,
      );
  }
}

/** Follows symlinks and hard links to the file a name stands for; undefined when missing. */
export function resolveFile(
  members: ReadonlyMap<string, TarMember>,
  requested: string,
  label: string,
): TarMember | undefined {
  const normalized = normalizeMemberName(requested);
  if ('problem' in normalized)
    throw corruptArchive(label, `manifest.json names ${JSON.stringify(requested)}: ${normalized.problem}`);
  let current = members.get(normalized.name);
  for (let hops = 0; current !== undefined; hops++) {
    if (current.type === 'file') return current;
    if (current.type === 'directory') {
      throw corruptArchive(label, `${JSON.stringify(requested)} is a directory in the archive, not a file`);
    }
    if (hops >= 40) throw corruptArchive(label, `${JSON.stringify(requested)} is a loop of links`);
    current = members.get(current.target ?? '');
  }
  return undefined;
}
