// Hostile and damaged archives: every rule refuses the archive with a clear CORRUPT error, the
// copy writes nothing, and nothing is left in the temp directory (nothing is ever extracted).
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { copyImage, type ErrorCode } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import {
  docker20Layout,
  fixtureImage,
  type TarMemberSpec,
  tarOf,
  withClaimedSize,
} from './fixtures/docker-save.js';
import { archive, expectSkopeoError, readImage, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

async function validMembers(): Promise<TarMemberSpec[]> {
  return docker20Layout([await fixtureImage('valid', ['valid:1'], { layers: 1 })]);
}

/** Copies from the archive bytes (plain and gzip'd) and expects `code` mentioning `text`; nothing is left. */
async function expectRefused(bytes: Buffer, code: ErrorCode, text: string): Promise<void> {
  const dir = await tempDir();
  const spool = await tempDir();
  for (const [name, content] of [
    ['hostile.tar', bytes],
    ['hostile.tar.gz', gzipSync(bytes)],
  ] as const) {
    await writeFile(`${dir}/${name}`, content);
    const error = await expectSkopeoError(
      copyImage(archive(`${dir}/${name}`), archive(`${dir}/out.tar`), { sourceContext: { tmpDir: spool } }),
      code,
    );
    expect(error.message, name).toContain(text);
    expect(existsSync(`${dir}/out.tar`)).toBe(false);
    expect(await readdir(spool)).toEqual([]);
  }
  expect((await readdir(dir)).sort()).toEqual(['hostile.tar', 'hostile.tar.gz']);
}

describe('hostile archives are refused whole', () => {
  it('a member named with ".."', async () => {
    await expectRefused(
      await tarOf([...(await validMembers()), { name: '../evil', body: Buffer.from('x') }]),
      'CORRUPT',
      'must not contain ".."',
    );
  });

  it('a member with an absolute name', async () => {
    await expectRefused(
      await tarOf([{ name: '/tmp/evil', body: Buffer.from('x') }, ...(await validMembers())]),
      'CORRUPT',
      'absolute',
    );
  });

  it('a symlink that leads outside the archive', async () => {
    const members = (await validMembers()).map((member) =>
      member.name.endsWith('/layer.tar')
        ? { name: member.name, type: 'symlink' as const, linkname: '../../../etc/passwd' }
        : member,
    );
    await expectRefused(await tarOf(members), 'CORRUPT', 'leads outside the archive');
  });

  it('a symlink with an absolute target', async () => {
    await expectRefused(
      await tarOf([...(await validMembers()), { name: 'link', type: 'symlink', linkname: '/etc/passwd' }]),
      'CORRUPT',
      'is absolute',
    );
  });

  it('a hard link to a member that does not come before it', async () => {
    await expectRefused(
      await tarOf([{ name: 'early', type: 'link', linkname: 'manifest.json' }, ...(await validMembers())]),
      'CORRUPT',
      'not an earlier member',
    );
  });

  it('two members of one name', async () => {
    const members = await validMembers();
    await expectRefused(
      await tarOf([...members, { name: './manifest.json', body: Buffer.from('[]') }]),
      'CORRUPT',
      'two members of this name',
    );
  });

  it('a character device and a FIFO', async () => {
    await expectRefused(
      await tarOf([{ name: 'null', type: 'character-device' }, ...(await validMembers())]),
      'CORRUPT',
      'device files',
    );
    await expectRefused(
      await tarOf([{ name: 'pipe', type: 'fifo' }, ...(await validMembers())]),
      'CORRUPT',
      'FIFOs',
    );
  });

  it('a header claiming an absurd size', async () => {
    const tar = await tarOf(await validMembers());
    await expectRefused(
      withClaimedSize(tar, 'manifest.json', 0o77777777777),
      'CORRUPT',
      'claims 8589934591 bytes',
    );
  });

  it('a truncated archive is an error, never a partial image', async () => {
    const tar = await tarOf(await validMembers());
    await expectRefused(tar.subarray(0, Math.floor(tar.length / 2)), 'CORRUPT', 'truncated');
    await expectRefused(tar.subarray(0, tar.length - 1024), 'CORRUPT', 'truncated');
  });

  it('a truncated gzip-compressed archive', async () => {
    const dir = await tempDir();
    const spool = await tempDir();
    const gz = gzipSync(await tarOf(await validMembers()));
    await writeFile(`${dir}/cut.tar.gz`, gz.subarray(0, gz.length - 100));
    const error = await expectSkopeoError(
      copyImage(archive(`${dir}/cut.tar.gz`), archive(`${dir}/out.tar`), {
        sourceContext: { tmpDir: spool },
      }),
      'CORRUPT',
    );
    expect(error.message).toContain('not valid gzip data');
    expect(await readdir(dir)).toEqual(['cut.tar.gz']);
    expect(await readdir(spool)).toEqual([]);
  });

  it('bytes that are not a tar at all', async () => {
    await expectRefused(Buffer.alloc(4096, 'not a tar '), 'CORRUPT', 'bad checksum');
  });

  it('manifest.json naming a member that is not there, or damaged JSON', async () => {
    const members = (await validMembers()).filter(
      (member) => !member.name.endsWith('.json') || member.name === 'manifest.json',
    );
    await expectRefused(await tarOf(members), 'CORRUPT', 'which the archive does not hold');
    const broken = (await validMembers()).map((member) =>
      member.name === 'manifest.json' ? { ...member, body: Buffer.from('[{') } : member,
    );
    await expectRefused(await tarOf(broken), 'CORRUPT', 'manifest.json is not valid JSON');
  });

  it('an OCI archive named as docker-archive: says to use oci-archive:', async () => {
    const dir = await tempDir();
    const bytes = await tarOf([
      { name: 'oci-layout', body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
      { name: 'index.json', body: Buffer.from('{"schemaVersion":2,"manifests":[]}') },
    ]);
    await writeFile(`${dir}/oci.tar`, bytes);
    const error = await expectSkopeoError(readImage(archive(`${dir}/oci.tar`)), 'NOT_FOUND');
    expect((error as Error & { hint?: string }).hint).toContain(`oci-archive:${dir}/oci.tar`);
  });

  it('no manifest.json: not a docker save archive', async () => {
    await expectRefused(
      await tarOf([{ name: 'hello.txt', body: Buffer.from('hi') }]),
      'NOT_FOUND',
      'holds no manifest.json',
    );
  });
});

describe('digests', () => {
  it('a layer whose content does not match its DiffID fails the copy with DIGEST_MISMATCH', async () => {
    const image = await fixtureImage('mismatch', ['m:1'], { layers: 1 });
    const members = docker20Layout([image]).map((member) =>
      member.name.endsWith('/layer.tar') && member.body
        ? { ...member, body: Buffer.from(member.body).fill(0x41, 600, 601) }
        : member,
    );
    const dir = await tempDir();
    await writeFile(`${dir}/bad.tar`, await tarOf(members));
    await expectSkopeoError(
      copyImage(archive(`${dir}/bad.tar`), archive(`${dir}/out.tar`)),
      'DIGEST_MISMATCH',
    );
    expect(await readdir(dir)).toEqual(['bad.tar']);
  });

  it('a layer count that disagrees with the config is refused', async () => {
    const image = await fixtureImage('count', ['c:1'], { layers: 2 });
    const members = docker20Layout([image]).map((member) => {
      if (member.name !== 'manifest.json' || !member.body) return member;
      const manifest = JSON.parse(Buffer.from(member.body).toString('utf8'));
      manifest[0].Layers.pop();
      return { ...member, body: Buffer.from(JSON.stringify(manifest)) };
    });
    await expectRefused(await tarOf(members), 'CORRUPT', 'lists 1 layers but the image config has 2 DiffIDs');
  });
});
