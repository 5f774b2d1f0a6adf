// Generate → reassemble gives the identical tar, for tars written by GNU tar (every format it
// has) and by tar-stream (devices, fifos, PAX records), and the split has Go's shape.

import { mkdir, symlink, link, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { deterministicBytes, makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64, type TarMemberHeader } from '../src/index.js';
import { gnuTar, parseLines, reassemble, sha256, splitTar, tarStreamTar } from './helpers.js';

let tmp: TempDir;
let tree: string;
const LONG_NAME = `${'deep-directory-name/'.repeat(4)}${'a-file-with-a-long-name-'.repeat(4)}end.txt`;
const NOT_UTF8 = Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0x2d, 0xe9, 0x74, 0xe9]); // "latin1-été" in ISO-8859-1

beforeAll(async () => {
  tmp = await makeTempDir('tar-split-round-trip');
  tree = join(tmp.path, 'tree');
  await mkdir(join(tree, 'etc'), { recursive: true });
  await writeFile(join(tree, 'etc', 'hello'), 'hello\n');
  await writeFile(join(tree, 'empty'), '');
  await writeFile(join(tree, 'big.bin'), deterministicBytes('big', 3 * 1024 * 1024 + 17));
  await writeFile(join(tree, 'exact-block'), Buffer.alloc(1024, 7));
  await mkdir(join(tree, LONG_NAME, '..'), { recursive: true });
  await writeFile(join(tree, LONG_NAME), 'long\n');
  await symlink(`../${'target-'.repeat(20)}`, join(tree, 'long-link'));
  await symlink('etc/hello', join(tree, 'short-link'));
  await link(join(tree, 'etc', 'hello'), join(tree, 'hard'));
  await writeFile(Buffer.from(`${tree}/${NOT_UTF8.toString('latin1')}`, 'latin1'), 'not utf-8\n');
  await writeFile(join(tree, 'html <&> chars'), 'x');
  await writeFile(join(tree, 'ünïcødé ✓'), 'y');
  // Fixed times: two archives of the same tree must match byte for byte.
  await utimes(tree, 1_700_000_000, 1_700_000_000);
});

afterAll(async () => {
  await tmp?.cleanup();
});

async function expectRoundTrip(
  tar: Buffer,
  label: string,
): Promise<ReturnType<typeof parseLines> & { members: TarMemberHeader[] }> {
  const result = await splitTar(tar, join(tmp.path, `keep-${label}`));
  expect(result.passthrough.equals(tar)).toBe(true);
  const rebuilt = await reassemble(result.lines, result.opener);
  expect(rebuilt.length).toBe(tar.length);
  expect(sha256(rebuilt)).toBe(sha256(tar));
  const entries = parseLines(result.lines);
  expect(entries.map((entry) => entry.position)).toEqual(entries.map((_, i) => i));
  expect(result.summary.tarSize).toBe(tar.length);
  return Object.assign(entries, { members: result.members });
}

const GNU_FORMATS = ['gnu', 'oldgnu', 'posix', 'ustar', 'v7'] as const;

describe('GNU tar archives', () => {
  for (const format of ['gnu', 'oldgnu', 'posix']) {
    it(`rebuilds --format=${format} byte for byte`, async () => {
      const tar = gnuTar(tree, [`--format=${format}`, '--sort=name', '.']);
      const entries = await expectRoundTrip(tar, format);
      const files = entries.filter((entry) => entry.type === 1);
      // The long name comes out whole (GNU long name / PAX path), not as the 100-byte field.
      expect(files.some((entry) => entry.name === `./${LONG_NAME}`)).toBe(true);
      // The non-UTF-8 name is carried as name_raw.
      const raw = files.find((entry) => entry.name_raw !== undefined);
      expect(
        Buffer.from(String(raw?.name_raw), 'base64').equals(
          Buffer.from(`./${NOT_UTF8.toString('latin1')}`, 'latin1'),
        ),
      ).toBe(true);
      expect(raw).not.toHaveProperty('name');
      // Long link targets come out whole too (GNU 'K' / PAX linkpath), and hard links keep theirs.
      const members = new Map(entries.members.map((member) => [member.name, member]));
      expect(members.get('./long-link')).toMatchObject({
        typeflag: '2',
        linkname: `../${'target-'.repeat(20)}`,
      });
      expect(members.get('./hard')?.typeflag ?? members.get('./etc/hello')?.typeflag).toBe('1');
    });
  }

  it('rebuilds ustar and v7 archives of short names', async () => {
    for (const format of GNU_FORMATS.slice(3)) {
      const tar = gnuTar(tree, [
        `--format=${format}`,
        '--sort=name',
        'etc',
        'empty',
        'big.bin',
        'short-link',
        'hard',
      ]);
      await expectRoundTrip(tar, format);
    }
  });

  it('keeps GNU tar record padding after the end blocks', async () => {
    const tar = gnuTar(tree, ['--format=gnu', '--blocking-factor=20', 'etc']);
    expect(tar.length % 10240).toBe(0);
    const entries = await expectRoundTrip(tar, 'record-padding');
    const last = entries.at(-1)!;
    expect(last.type).toBe(2);
    // Final segment: everything after the two end blocks, in one piece (it is < 1 MiB).
    const endSegment = entries.at(-2)!;
    expect(Buffer.from(String(endSegment.payload), 'base64').subarray(-1024).equals(Buffer.alloc(1024))).toBe(
      true,
    );
  });

  it('records the expected shape for a one-file archive', async () => {
    const tar = gnuTar(join(tree, 'etc'), [
      '--format=posix',
      '--blocking-factor=1',
      '--owner=0',
      '--group=0',
      '--mtime=@0',
      'hello',
    ]);
    const entries = await expectRoundTrip(tar, 'shape');
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ type: 2, position: 0 });
    // PAX header + data + ustar header, all in the first segment.
    expect(Buffer.from(String(entries[0]!.payload), 'base64').length % 512).toBe(0);
    expect(entries[1]).toEqual({
      type: 1,
      name: 'hello',
      size: 6,
      payload: crc64(Buffer.from('hello\n')).toString('base64'),
      position: 1,
    });
    // 506 bytes of padding and the two end blocks.
    expect(Buffer.from(String(entries[2]!.payload), 'base64').length).toBe(506 + 1024);
  });
});

describe('tar-stream archives', () => {
  it('rebuilds devices, fifos, PAX records, hard links and empty files', async () => {
    const mtime = new Date('2024-01-01T00:00:00Z');
    const tar = await tarStreamTar([
      { header: { name: 'dev/', type: 'directory', mode: 0o755, mtime } },
      {
        header: { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, mtime },
      },
      { header: { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660, mtime } },
      { header: { name: 'run/fifo', type: 'fifo', mode: 0o644, mtime } },
      {
        header: { name: 'data/file', type: 'file', mode: 0o644, mtime, uid: 1000, gid: 2000 },
        body: Buffer.from('data\n'),
      },
      { header: { name: 'data/empty', type: 'file', mode: 0o644, mtime }, body: Buffer.alloc(0) },
      { header: { name: 'data/link', type: 'link', linkname: 'data/file', mode: 0o644, mtime } },
      {
        header: {
          name: 'data/with-xattr',
          type: 'file',
          mode: 0o644,
          mtime,
          pax: { 'SCHILY.xattr.user.foo': 'bar' },
        },
        body: Buffer.from('x'),
      },
      {
        header: { name: `pax/${'x'.repeat(200)}`, type: 'file', mode: 0o644, mtime },
        body: Buffer.from('long'),
      },
    ]);
    const dir = join(tmp.path, 'keep-tar-stream');
    const result = await splitTar(tar, dir);
    expect(result.passthrough.equals(tar)).toBe(true);
    expect(sha256(await reassemble(result.lines, result.opener))).toBe(sha256(tar));
    const byName = new Map(result.members.map((member) => [member.name, member]));
    expect(byName.get('dev/null')).toMatchObject({ typeflag: '3', devmajor: 1, devminor: 3 });
    expect(byName.get('dev/sda')).toMatchObject({ typeflag: '4', devmajor: 8, devminor: 0 });
    expect(byName.get('run/fifo')?.typeflag).toBe('6');
    expect(byName.get('data/file')).toMatchObject({
      typeflag: '0',
      size: 5,
      uid: 1000,
      gid: 2000,
      mode: 0o644,
    });
    expect(byName.get('data/link')).toMatchObject({ typeflag: '1', linkname: 'data/file' });
    expect(byName.get('data/with-xattr')?.xattrs.get('user.foo')?.toString()).toBe('bar');
    expect(byName.get(`pax/${'x'.repeat(200)}`)?.size).toBe(4);
    expect(byName.get('dev/null')?.mtime.toISOString()).toBe(mtime.toISOString());
  });

  it('rebuilds an archive with base-256 numbers and a PAX global header', async () => {
    const tar = gnuTar(tree, ['--format=gnu', 'etc']);
    // uid 2^21 does not fit 7 octal digits: GNU tar writes it in base-256.
    const big = gnuTar(tree, ['--format=gnu', '--owner=2097152', '--group=0', 'etc']);
    expect(big.equals(tar)).toBe(false);
    const result = await splitTar(big, join(tmp.path, 'keep-base256'));
    expect(result.members.every((member) => member.uid === 2_097_152)).toBe(true);
    expect(sha256(await reassemble(result.lines, result.opener))).toBe(sha256(big));

    // GNU tar puts `--pax-option=keyword=value` pairs in a global ('g') header at the start.
    const global = gnuTar(join(tree, 'etc'), ['--format=posix', '--pax-option=comment=hi', 'hello']);
    const globalResult = await splitTar(global, join(tmp.path, 'keep-global'));
    expect(globalResult.members.map((member) => [member.name, member.typeflag])).toEqual([
      [expect.stringContaining('GlobalHead'), 'g'],
      ['hello', '0'],
    ]);
    expect(parseLines(globalResult.lines)[1]).toEqual({
      type: 1,
      name: globalResult.members[0]!.name,
      payload: null,
      position: 1,
    });
    expect(globalResult.members[0]!.paxRecords.get('comment')?.toString()).toBe('hi');
    expect(sha256(await reassemble(globalResult.lines, globalResult.opener))).toBe(sha256(global));
  });

  it('accepts an archive without end blocks, and one with trailing bytes over 1 MiB', async () => {
    const tar = gnuTar(tree, ['--format=gnu', 'etc']);
    const body = tar.subarray(0, 3 * 512); // etc/, etc/hello and its padded content: no end blocks
    const noEnd = await splitTar(body, join(tmp.path, 'keep-no-end'));
    expect(sha256(await reassemble(noEnd.lines, noEnd.opener))).toBe(sha256(body));

    const trailing = Buffer.concat([tar, Buffer.alloc(2.5 * 1024 * 1024, 0)]);
    const result = await splitTar(trailing, join(tmp.path, 'keep-trailing'), 300_001);
    const sizes = parseLines(result.lines)
      .slice(-3)
      .map((entry) => Buffer.from(String(entry.payload), 'base64').length);
    // After the end blocks: segments of 1 MiB, then the rest (GNU's record padding + 2.5 MiB).
    expect(sizes.slice(0, 2)).toEqual([1024 * 1024, 1024 * 1024]);
    expect(sizes[2]).toBeGreaterThan(512 * 1024);
    expect(sizes[2]).toBeLessThan(1024 * 1024);
    expect(sha256(await reassemble(result.lines, result.opener))).toBe(sha256(trailing));
  });
});
