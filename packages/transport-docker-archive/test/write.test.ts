// Writing archives: nothing visible before commit, nothing left after a failure, layers of unknown
// size spooled, several images in one archive, tags, and the layout docker load and skopeo read.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { parseDockerReference } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport } from '../src/index.js';
import { tarMemberNames } from './fixtures/tar-list.js';
import {
  archive,
  copy,
  destinationReference,
  expectSkopeoError,
  multiLayerImage,
  oci,
  readImage,
  singleImage,
  useTempDirs,
} from './helpers.js';

const tempDir = useTempDirs();

describe('single-image archives', () => {
  it('writes the skopeo layout: layers by DiffID, config, legacy dirs, manifest.json, repositories', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/out.tar`;
    await copy(oci(`${built.layoutDir}:latest`), archive(`${path}:app:1`));
    const names = await tarMemberNames(path);
    for (const diffId of built.diffIds) expect(names).toContain(`${diffId.slice(7)}.tar`);
    expect(names).toContain(`${built.configDigest.slice(7)}.json`);
    expect(names.filter((name) => name.endsWith('/layer.tar'))).toHaveLength(built.diffIds.length);
    expect(names.slice(-2)).toEqual(['manifest.json', 'repositories']);
    expect(await readdir(dir)).toEqual(['layout', 'out.tar']);
  });

  it('nothing is visible before commit, and close() without commit leaves nothing', async () => {
    const dir = await tempDir();
    const destination = await archive(`${dir}/never.tar`).newDestination({});
    expect(existsSync(`${dir}/never.tar`)).toBe(false);
    await destination.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a failed copy leaves neither the archive nor temp files, and keeps an empty target empty', async () => {
    const dir = await tempDir();
    const spool = await tempDir();
    const built = await multiLayerImage(dir);
    await writeFile(`${dir}/empty.tar`, '');
    const controller = new AbortController();
    const copying = copy(oci(`${built.layoutDir}:latest`), archive(`${dir}/empty.tar`), {
      signal: controller.signal,
      destinationContext: { tmpDir: spool },
      progress: (event) => {
        if (event.kind === 'blob-progress' || event.kind === 'blob-done') controller.abort();
      },
    });
    await expectSkopeoError(copying, 'ABORTED');
    expect((await readdir(dir)).sort()).toEqual(['empty.tar', 'layout']);
    expect(await readFile(`${dir}/empty.tar`, 'utf8')).toBe('');
    expect(await readdir(spool)).toEqual([]);
  });

  it('additional tags must be tagged references', async () => {
    const dir = await tempDir();
    await expectSkopeoError(
      archive(`${dir}/a.tar`).newDestination({ dockerArchiveAdditionalTags: ['busybox'] }),
      'INVALID_ARGUMENT',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaceExisting replaces an archive atomically', async () => {
    const dir = await tempDir();
    const first = await singleImage(`${dir}/a`, 'latest', 'first');
    const second = await singleImage(`${dir}/b`, 'latest', 'second');
    const ctx = { transportOptions: { 'docker-archive': { replaceExisting: true } } };
    await copy(oci(`${first.layoutDir}:latest`), archive(`${dir}/out.tar`), { destinationContext: ctx });
    await copy(oci(`${second.layoutDir}:latest`), archive(`${dir}/out.tar`), { destinationContext: ctx });
    expect((await readImage(archive(`${dir}/out.tar`))).parsed.config.digest).toBe(second.configDigest);
    await expectSkopeoError(
      copy(oci(`${first.layoutDir}:latest`), archive(`${dir}/out.tar`), {
        destinationContext: { transportOptions: { 'docker-archive': { replaceExisting: 'yes' } } },
      }),
      'INVALID_ARGUMENT',
    );
  });
});

describe('multi-image archives', () => {
  it('shares blobs between images, names them, and lists them', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const path = `${dir}/multi.tar`;
    const multi = await archive(path).newMultiImageDestination?.({});
    if (multi === undefined) throw new Error('no multi-image destination');
    try {
      for (const name of ['example.com/one', 'example.com/two:2', undefined]) {
        const destination = await multi.nextImage(
          name === undefined ? {} : { dockerReference: parseDockerReference(name) },
        );
        await copy(oci(`${built.layoutDir}:latest`), destinationReference(destination));
      }
      expect(existsSync(path)).toBe(false);
      await multi.commit();
    } finally {
      await multi.close();
    }
    const tags = await dockerArchiveTransport.listTags?.(archive(path), {});
    expect(tags?.tags).toEqual(['example.com/one:latest', 'example.com/two:2', '@2']);
    const names = await tarMemberNames(path);
    expect(names.filter((name) => name.endsWith('.tar') && !name.includes('/'))).toHaveLength(
      built.diffIds.length,
    );
    for (const rest of [`${path}:example.com/one`, `${path}:@1`, `${path}:@2`]) {
      expect((await readImage(archive(rest))).parsed.config.digest).toBe(built.configDigest);
    }
  });

  it('refuses one tag on two images, a name on the reference, and an empty commit', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    await expectSkopeoError(
      archive(`${dir}/m.tar:app:1`).newMultiImageDestination?.({}) ?? Promise.resolve(),
      'INVALID_REFERENCE',
    );
    const multi = await archive(`${dir}/m.tar`).newMultiImageDestination?.({});
    if (multi === undefined) throw new Error('no multi-image destination');
    try {
      await expectSkopeoError(multi.commit(), 'INVALID_ARGUMENT');
      const name = { dockerReference: parseDockerReference('app:1') };
      await copy(oci(`${built.layoutDir}:latest`), destinationReference(await multi.nextImage(name)));
      await expectSkopeoError(
        copy(oci(`${built.layoutDir}:latest`), destinationReference(await multi.nextImage(name))),
        'INVALID_ARGUMENT',
      );
    } finally {
      await multi.close();
    }
    expect(await readdir(dir)).toEqual(['layout']);
  });
});
