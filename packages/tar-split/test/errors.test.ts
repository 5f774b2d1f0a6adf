// What is refused, and how: tars tar-split cannot record, malformed tar-split data, and files
// that no longer match their tar-split at reassembly.

import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTarSplitError, readTarSplit, type TarSplitEntry } from '../src/index.js';
import { gnuTar, reassemble, splitTar, tarStreamTar } from './helpers.js';

let tmp: TempDir;
let tree: string;
let keep = 0;

beforeAll(async () => {
  tmp = await makeTempDir('tar-split-errors');
  tree = join(tmp.path, 'tree');
  await mkdir(join(tree, 'dir'), { recursive: true });
  await writeFile(join(tree, 'dir', 'file'), 'content\n');
  await writeFile(join(tree, 'sparse'), '');
  await truncate(join(tree, 'sparse'), 4 * 1024 * 1024);
  await writeFile(join(tree, 'sparse'), 'data at the start', { flag: 'r+' });
});

afterAll(async () => {
  await tmp?.cleanup();
});

function split(tar: Buffer) {
  return splitTar(tar, join(tmp.path, `keep-${keep++}`));
}

async function readAll(text: string | Buffer): Promise<TarSplitEntry[]> {
  const entries: TarSplitEntry[] = [];
  for await (const entry of readTarSplit(Readable.from([Buffer.from(text)]))) entries.push(entry);
  return entries;
}

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  expect(isTarSplitError(error, code as never)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('tars tar-split cannot record', () => {
  it('refuses duplicate paths, as Go does, comparing cleaned names', async () => {
    const file = (name: string) => ({
      header: { name, type: 'file' as const, mode: 0o644 },
      body: Buffer.from('x'),
    });
    await expectCode(
      split(await tarStreamTar([file('a'), file('a')])),
      'DUPLICATE_PATH',
      /duplicates of file paths not supported.*"a"/,
    );
    await expectCode(split(await tarStreamTar([file('./b'), file('b')])), 'DUPLICATE_PATH', /"b"/);
    await expectCode(
      split(await tarStreamTar([{ header: { name: 'c/', type: 'directory' } }, file('c//')])),
      'DUPLICATE_PATH',
      /"c\/\/"/,
    );
    // Different paths that merely look alike are fine.
    await split(await tarStreamTar([file('d'), file('d.txt'), file('e/d')]));
  });

  it('refuses sparse members (old GNU and PAX formats)', async () => {
    await expectCode(
      split(gnuTar(tree, ['--format=gnu', '--sparse', 'sparse'])),
      'UNSUPPORTED',
      /"sparse".*sparse file/,
    );
    await expectCode(
      split(gnuTar(tree, ['--format=posix', '--sparse', '--sparse-version=1.0', 'sparse'])),
      'UNSUPPORTED',
      /sparse file/,
    );
  });

  it('refuses malformed and truncated tars with the offset', async () => {
    const tar = gnuTar(tree, ['--format=gnu', '--blocking-factor=1', 'dir']);
    await expectCode(split(tar.subarray(0, 1000)), 'BAD_TAR', /ends at byte 1000/);
    await expectCode(
      split(tar.subarray(0, 512 * 2 + 4)),
      'BAD_TAR',
      /in the middle of the content of "dir\/file"/,
    );
    const corrupt = Buffer.from(tar);
    corrupt.writeUInt8(corrupt.readUInt8(522) ^ 0xff, 522);
    await expectCode(split(corrupt), 'BAD_TAR', /invalid tar header at byte 512: checksum mismatch/);
    await expectCode(split(Buffer.from('this is not a tar'.repeat(40))), 'BAD_TAR', /byte 0/);
    const zeroThenJunk = Buffer.concat([
      tar.subarray(0, tar.length - 1024),
      Buffer.alloc(512),
      tar.subarray(0, 512),
    ]);
    await expectCode(split(zeroThenJunk), 'BAD_TAR', /zero block is followed by a non-zero block/);
  });

  it('refuses a PAX extension header over 1 MiB, like Go', async () => {
    const tar = await tarStreamTar([
      {
        header: { name: 'f', type: 'file', pax: { comment: 'x'.repeat(1024 * 1024 + 1) } },
        body: Buffer.from('x'),
      },
    ]);
    await expectCode(split(tar), 'BAD_TAR', /more than the 1 MiB Go accepts/);
  });

  it('fails when the member handler fails, and discards content a handler leaves unread', async () => {
    const tar = gnuTar(tree, ['--format=gnu', 'dir']);
    const { TarSplitGenerator } = await import('../src/index.js');
    const { Collector } = await import('./helpers.js');
    const failing = new TarSplitGenerator({
      output: new Collector(),
      onMember: () => {
        throw new Error('disk full');
      },
    });
    failing.resume();
    await expect(
      new Promise((resolve, reject) => {
        failing.on('error', reject).on('end', resolve);
        failing.end(tar);
      }),
    ).rejects.toThrow('disk full');

    const output = new Collector();
    const ignoring = new TarSplitGenerator({ output, onMember: () => {} });
    ignoring.resume();
    ignoring.end(tar);
    const summary = await ignoring.summary;
    expect(summary.members).toBe(2);
  });
});

describe('malformed tar-split data', () => {
  const segment = (position: number, payload = 'AAAA') =>
    `{"type":2,"payload":"${payload}","position":${position}}\n`;

  it('reads plain and gzip data alike, with or without the legacy empty segment', async () => {
    const text = `${segment(0)}{"type":1,"name":"a","size":1,"payload":"AAAAAAAAAAA=","position":1}\n${segment(2, '')}`;
    const plain = await readAll(text);
    expect(plain).toHaveLength(3);
    expect(await readAll(gzipSync(text))).toEqual(plain);
    expect(plain[2]).toEqual({ type: 'segment', payload: Buffer.alloc(0), position: 2 });
    expect(plain[1]).toEqual({
      type: 'file',
      name: Buffer.from('a'),
      size: 1,
      crc64: Buffer.alloc(8),
      position: 1,
    });
  });

  it('refuses bad lines with their line number', async () => {
    await expectCode(
      readAll('{"type":2,"payload":"AAAA","position":0}\nnot json\n'),
      'BAD_TAR_SPLIT',
      /line 2: not JSON/,
    );
    await expectCode(readAll(segment(1)), 'BAD_TAR_SPLIT', /line 1: position 1 where 0 was expected/);
    await expectCode(readAll('{"type":3,"position":0}\n'), 'BAD_TAR_SPLIT', /unknown entry type 3/);
    await expectCode(readAll(segment(0, 'not base64!')), 'BAD_TAR_SPLIT', /not base64/);
    await expectCode(
      readAll('{"type":1,"name":"a","size":1,"payload":"AAAA","position":0}\n'),
      'BAD_TAR_SPLIT',
      /checksum has 3 bytes/,
    );
    await expectCode(
      readAll('{"type":1,"name":"a","size":1,"payload":null,"position":0}\n'),
      'BAD_TAR_SPLIT',
      /no checksum/,
    );
    await expectCode(
      readAll('{"type":1,"name":"a","position":0}\n{"type":1,"name":"./a","position":1}\n'),
      'DUPLICATE_PATH',
      /duplicates of file paths not supported/,
    );
    await expectCode(readAll(Buffer.from([0x1f, 0x8b, 1, 2, 3])), 'BAD_TAR_SPLIT', /invalid tar-split data/);
  });
});

describe('reassembly integrity', () => {
  it('names the file whose content changed, whether its size or only its bytes differ', async () => {
    const tar = gnuTar(tree, ['--format=gnu', 'dir']);
    const result = await split(tar);
    const changed = (content: string) => () => ({ stream: Readable.from([Buffer.from(content)]) });
    await expectCode(
      reassemble(result.lines, changed('CONTENT\n')),
      'INTEGRITY',
      /file integrity checksum failed for "dir\/file": CRC-64/,
    );
    await expectCode(reassemble(result.lines, changed('content\n+')), 'INTEGRITY', /more than the 8 bytes/);
    await expectCode(
      reassemble(result.lines, changed('short')),
      'INTEGRITY',
      /has 5 bytes, the tar-split records 8/,
    );
    await expectCode(
      reassemble(result.lines, () => ({ stream: Readable.from([]), size: 3 })),
      'INTEGRITY',
      /has 3 bytes, the tar-split records 8/,
    );
  });
});
