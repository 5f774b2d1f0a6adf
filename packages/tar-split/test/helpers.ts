// Shared test plumbing: split a tar in memory or from a file, keep each member's content on disk
// (through the generator's member handler), and rebuild the tar from what was kept.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as createPack, type Header, type Pack } from 'tar-stream';
import {
  assembleTarChunks,
  type FileOpener,
  readTarSplit,
  type TarMemberHeader,
  TarSplitGenerator,
  type TarSplitSummary,
} from '../src/index.js';

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Collects everything written to it. */
export class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk);
    callback();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export interface SplitResult {
  /** The tar-split JSON lines. */
  lines: string;
  /** The tar as the generator passed it through. */
  passthrough: Buffer;
  members: TarMemberHeader[];
  summary: TarSplitSummary;
  /** Opens the content kept for a member (by its name bytes). */
  opener: FileOpener;
}

/**
 * Splits a tar, keeping every member's content under `keepDir` (as `<n>`), and returns an
 * opener over what was kept.
 */
export async function splitTar(
  tar: Readable | Buffer,
  keepDir: string,
  chunkSize = 7919,
): Promise<SplitResult> {
  await mkdir(keepDir, { recursive: true });
  const kept = new Map<string, { path: string; size: number }>();
  const members: TarMemberHeader[] = [];
  const output = new Collector();
  const passthrough = new Collector();
  const generator = new TarSplitGenerator({
    output,
    onMember: async (member) => {
      const { content, ...header } = member;
      members.push(header);
      const path = join(keepDir, String(members.length));
      await pipeline(content, createWriteStream(path));
      kept.set(member.nameBytes.toString('latin1'), { path, size: (await stat(path)).size });
    },
  });
  const source = Buffer.isBuffer(tar) ? Readable.from(chunked(tar, chunkSize)) : tar;
  await pipeline(source, generator, passthrough);
  const summary = await generator.summary;
  const opener: FileOpener = (entry) => {
    const file = kept.get(entry.name.toString('latin1'));
    if (!file) throw new Error(`nothing kept for ${entry.name.toString('latin1')}`);
    return { stream: createReadStream(file.path), size: file.size };
  };
  return { lines: output.bytes.toString('utf8'), passthrough: passthrough.bytes, members, summary, opener };
}

/** Splits a buffer into odd-sized chunks so block boundaries fall mid-chunk. */
export function* chunked(data: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

/** Rebuilds the tar from tar-split lines and an opener. */
export async function reassemble(lines: string | Buffer, opener: FileOpener): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of assembleTarChunks(readTarSplit(Readable.from([Buffer.from(lines)])), opener)) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Runs GNU tar in `cwd` and returns the archive. */
export function gnuTar(cwd: string, args: readonly string[]): Buffer {
  return execFileSync('tar', ['-c', '-f', '-', ...args], { cwd, maxBuffer: 1 << 30 });
}

type TarStreamEntry = { header: Partial<Header> & { name: string }; body?: Buffer };

/** A tar made by tar-stream from explicit headers (devices, fifos, PAX, …). */
export async function tarStreamTar(entries: readonly TarStreamEntry[]): Promise<Buffer> {
  const pack: Pack = createPack();
  const out = new Collector();
  const done = pipeline(pack as unknown as Readable, new PassThrough(), out);
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry(header, body ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return out.bytes;
}

/** The entries of tar-split lines as plain objects (for shape checks). */
export function parseLines(lines: string): Record<string, unknown>[] {
  return lines
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
