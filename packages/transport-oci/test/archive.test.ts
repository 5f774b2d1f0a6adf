import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyImage } from '@skopeo-ts/core';
import { addTarEntry, buildOciImage, fixtures, verifyOciLayout } from '@skopeo-ts/testkit';
import { extract, type Header, pack as createPack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { expectSkopeoError, oci, ociArchive, readIndexJson, refNames, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

type Member = Partial<Header> & { name: string; body?: string | Buffer };

/** Writes a tar with exactly these members (tar-stream, no sanitising). */
async function writeTar(path: string, members: Member[]): Promise<void> {
  const pack = createPack();
  const writing = pipeline(Readable.from(pack, { objectMode: false }), createWriteStream(path));
  for (const { body, ...header } of members) {
    const bytes = body === undefined ? undefined : Buffer.from(body);
    await addTarEntry(
      pack,
      { mode: 0o644, ...header, ...(bytes ? { size: bytes.length, type: header.type ?? 'file' } : {}) },
      bytes ? [bytes] : undefined,
    );
  }
  pack.finalize();
  await writing;
}

async function tarNames(path: string): Promise<string[]> {
  const names: string[] = [];
  const extractor = extract();
  const done = (async () => {
    for await (const entry of extractor) {
      names.push(entry.header.name);
      for await (const _ of entry) {
        // drain
      }
    }
  })();
  await pipeline(Readable.from([await readFile(path)]), extractor as unknown as NodeJS.WritableStream);
  await done;
  return names;
}

/** Temp dirs the archive source made under `tmp` (they must be gone after close). */
async function leftovers(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((name) => name.startsWith('skopeo-ts-oci-archive-'));
}

describe('oci-archive:', () => {
  it('round-trips an image through a tar holding a plain layout', async () => {
    const dir = await tempDir();
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const src = await buildOciImage(join(dir, 'src'), fixtures.multiLayer());
    const archive = join(dir, 'out', 'image.tar');
    const written = await copyImage(oci(`${src.layoutDir}:latest`), ociArchive(`${archive}:v1`), {
      destinationContext: { tmpDir: tmp },
    });
    const names = await tarNames(archive);
    expect(names.slice(0, 2)).toEqual(['blobs/', 'blobs/sha256/']);
    expect(names.slice(-2)).toEqual(['index.json', 'oci-layout']);
    expect(names.some((name) => name.includes('lock') || name.includes('tmp'))).toBe(false);
    // Only the archive is left next to the target, and the staging dir is gone.
    expect(await readdir(join(dir, 'out'))).toEqual(['image.tar']);
    expect(await leftovers(tmp)).toEqual([]);

    const back = await copyImage(ociArchive(`${archive}:v1`), oci(`${dir}/back:v1`), {
      sourceContext: { tmpDir: tmp },
    });
    expect(back.digest).toBe(written.digest);
    await verifyOciLayout(`${dir}/back`);
    expect(await leftovers(tmp)).toEqual([]);
  });

  it('replaces an existing archive (as skopeo), writing through a symlink to it', async () => {
    const dir = await tempDir();
    const one = await buildOciImage(join(dir, 'one'), fixtures.single());
    const twoSpec = fixtures.single();
    twoSpec.labels = { two: 'yes' };
    const two = await buildOciImage(join(dir, 'two'), twoSpec);
    const real = join(dir, 'real.tar');
    await copyImage(oci(`${one.layoutDir}:latest`), ociArchive(`${real}:a`));
    await symlink(real, join(dir, 'link.tar'));
    await copyImage(oci(`${two.layoutDir}:latest`), ociArchive(`${dir}/link.tar:b`));
    expect((await lstat(join(dir, 'link.tar'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'link.tar'))).toBe(real);
    const source = await ociArchive(real).newSource({});
    expect(Buffer.from((await source.getManifest()).bytes)).toEqual(two.manifestBytes);
    await source.close();
  });

  it('reports a missing archive as NOT_FOUND and a name it lacks as NOT_FOUND', async () => {
    const dir = await tempDir();
    const error = await expectSkopeoError(ociArchive(`${dir}/none.tar`).newSource({}), 'NOT_FOUND');
    expect(error.message).toContain(`${dir}/none.tar does not exist`);
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    await copyImage(oci(`${src.layoutDir}:latest`), ociArchive(`${dir}/a.tar:present`));
    const missing = await expectSkopeoError(ociArchive(`${dir}/a.tar:absent`).newSource({}), 'NOT_FOUND');
    expect(missing.message).toContain(`oci-archive:${dir}/a.tar:absent`);
    expect(missing.message).toContain('it holds "present"');
  });

  it('a failed copy leaves an existing archive as it was', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const archive = join(dir, 'keep.tar');
    await copyImage(oci(`${src.layoutDir}:latest`), ociArchive(`${archive}:a`));
    const before = await readFile(archive);
    await expectSkopeoError(copyImage(oci(`${src.layoutDir}:nope`), ociArchive(`${archive}:b`)), 'NOT_FOUND');
    expect(await readFile(archive)).toEqual(before);
    expect(await readdir(dir)).toEqual(['keep.tar', 'src']);
  });

  const layoutMembers = (): Member[] => [
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', body: '{"schemaVersion":2,"manifests":[]}' },
  ];
  const hostile: [string, Member[], RegExp][] = [
    ['a ../ path', [{ name: '../evil', body: 'x' }], /"\.\.\/evil".*"\.\." would leave the archive root/],
    ['a nested ../ path', [{ name: 'blobs/../../evil', body: 'x' }], /would leave the archive root/],
    ['an absolute path', [{ name: '/tmp/evil', body: 'x' }], /absolute paths are not allowed/],
    [
      'a symlink pointing out',
      [{ name: 'blobs', type: 'symlink', linkname: '../outside' }],
      /symlink target "\.\.\/outside" is outside the archive/,
    ],
    [
      'an absolute symlink',
      [{ name: 'blobs', type: 'symlink', linkname: '/etc' }],
      /symlinks must be relative/,
    ],
    [
      'a chain of symlinks leading out',
      [
        { name: 'b', type: 'symlink', linkname: '.' },
        { name: 'c', type: 'symlink', linkname: 'b/..' },
      ],
      /"c": the symlink leads outside the archive/,
    ],
    [
      'a file written through a symlinked directory',
      [
        { name: 'up', type: 'symlink', linkname: '.' },
        { name: 'hop', type: 'symlink', linkname: 'up/..' },
        { name: 'hop/evil', body: 'x' },
      ],
      /"hop\/evil": a symlink in its path leads outside the archive/,
    ],
    [
      'a hard link out',
      [{ name: 'x', type: 'link', linkname: '../../etc/passwd' }],
      /would leave the archive root/,
    ],
    [
      'a character device',
      [{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }],
      /character-device entries are not allowed/,
    ],
    ['a FIFO', [{ name: 'fifo', type: 'fifo' }], /fifo entries are not allowed/],
  ];
  it.each(hostile)('refuses %s, writes nothing outside, and cleans up', async (_what, members, message) => {
    const dir = await tempDir();
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const archive = join(dir, 'evil.tar');
    await writeTar(archive, [...layoutMembers(), ...members]);
    const error = await expectSkopeoError(ociArchive(archive).newSource({ tmpDir: tmp }), 'CORRUPT');
    expect(error.message).toContain(`oci-archive:${archive}: refusing archive member`);
    expect(error.message).toMatch(message);
    expect((await readdir(dir)).sort()).toEqual(['evil.tar', 'tmp']);
    expect(await leftovers(tmp)).toEqual([]);
  });

  it('accepts ./-prefixed names, in-archive symlinks and hard links', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single(), { tag: 't' });
    const index = await readFile(join(src.layoutDir, 'index.json'), 'utf8');
    const members: Member[] = [
      { name: './', type: 'directory' },
      { name: './oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
      { name: './blobs/', type: 'directory' },
      { name: './blobs/sha256/', type: 'directory' },
    ];
    for (const name of await readdir(join(src.layoutDir, 'blobs', 'sha256'))) {
      const content = await readFile(join(src.layoutDir, 'blobs', 'sha256', name));
      members.push({ name: `./store/${name}`, body: content });
      members.push({ name: `./blobs/sha256/${name}`, type: 'link', linkname: `store/${name}` });
    }
    members.push({ name: 'index.json', type: 'symlink', linkname: 'real-index.json' });
    members.push({ name: 'real-index.json', body: index });
    const archive = join(dir, 'ok.tar');
    await writeTar(archive, members);
    const result = await copyImage(ociArchive(`${archive}:t`), oci(`${dir}/out:t`));
    expect(result.digest).toBe(src.manifestDigest);
    expect(refNames(await readIndexJson(`${dir}/out`))).toEqual(['t']);
  });

  it('reports a truncated archive as CORRUPT, clearly', async () => {
    const dir = await tempDir();
    const src = await buildOciImage(join(dir, 'src'), fixtures.single());
    const archive = join(dir, 'a.tar');
    await copyImage(oci(`${src.layoutDir}:latest`), ociArchive(`${archive}:x`));
    const bytes = await readFile(archive);
    await writeFile(archive, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await expectSkopeoError(ociArchive(`${archive}:x`).newSource({}), 'CORRUPT');
    expect(error.message).toContain(archive);
    expect(error.message).toMatch(/is damaged/);
    expect((await stat(archive)).size).toBe(Math.floor(bytes.length / 2));
  });
});
