// Differential tests against Debian's skopeo 1.9.3 on one dockerd: reading the same engine image
// gives the same config and DiffIDs; what skopeo loads into the engine we read back the same;
// references skopeo refuses we refuse too. (1.9.3 ignores DOCKER_HOST: it gets --*-daemon-host.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage, isSkopeoError } from '@skopeo-ts/core';
import { buildOciImage, fixtures, runSkopeo, runSkopeoChecked, startDockerd } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { daemon, oci, ociConfigOf, uniqueName, useEngine, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const { ctx, engine } = useEngine(() => startDockerd());

interface IndexJson {
  manifests: { digest: string; annotations?: Record<string, string> }[];
}

/** The manifest digest tagged `tag` in an OCI layout. */
async function taggedDigest(layout: string, tag: string): Promise<string> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as IndexJson;
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (entry === undefined) throw new Error(`${layout} has no tag ${tag}`);
  return entry.digest;
}

describe.each([
  ['single', fixtures.single],
  ['multi-layer (whiteouts, symlinks, an uncompressed layer)', fixtures.multiLayer],
])('skopeo 1.9.3 and skopeo-ts agree on docker-daemon: with the %s fixture', (_label, spec) => {
  it('daemon → oci: both read the same config and DiffIDs from an image in the engine', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), spec());
    const name = `${uniqueName('diff-read')}:v1`;
    await copyImage(oci(`${image.layoutDir}:latest`), daemon(name), { destinationContext: ctx });

    await runSkopeoChecked([
      'copy',
      '--src-daemon-host',
      ctx.daemonHost ?? '',
      `docker-daemon:${name}`,
      `oci:${scratch}/theirs:v1`,
    ]);
    const result = await copyImage(daemon(name), oci(`${scratch}/ours:v1`), { sourceContext: ctx });
    const theirs = await ociConfigOf(`${scratch}/theirs`, await taggedDigest(`${scratch}/theirs`, 'v1'));
    const ours = await ociConfigOf(`${scratch}/ours`, result.digest);
    expect(ours.json.rootfs.diff_ids).toEqual(theirs.json.rootfs.diff_ids);
    expect(ours.json.rootfs.diff_ids).toEqual(image.diffIds);
    // skopeo re-marshals the config when it converts schema 2 to OCI; we keep its bytes (the
    // engine's image ID is their digest). What they say must agree.
    expect(ours.bytes.equals(image.configBytes), 'our config keeps the engine bytes').toBe(true);
    for (const field of ['architecture', 'os', 'config'] as const) {
      expect(ours.json[field], field).toEqual(theirs.json[field]);
    }
  });

  it('oci → daemon by skopeo, then daemon → oci by us: the same config and DiffIDs', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), spec());
    const name = `${uniqueName('diff-write')}:v1`;
    await runSkopeoChecked([
      'copy',
      '--dest-daemon-host',
      ctx.daemonHost ?? '',
      image.reference,
      `docker-daemon:${name}`,
    ]);
    expect((await engine().client.inspectImage(name))?.RootFS.Layers).toEqual(image.diffIds);

    const result = await copyImage(daemon(name), oci(`${scratch}/ours:v1`), { sourceContext: ctx });
    const ours = await ociConfigOf(`${scratch}/ours`, result.digest);
    expect(ours.json.rootfs.diff_ids).toEqual(image.diffIds);
    expect(ours.bytes.equals(image.configBytes), 'the config keeps its bytes').toBe(true);
  });

  it('oci → daemon by us and by skopeo: the engine holds the same image ID and layers', async () => {
    const scratch = await tempDir();
    const image = await buildOciImage(join(scratch, 'source'), spec());
    const ourName = `${uniqueName('ours')}:v1`;
    const theirName = `${uniqueName('theirs')}:v1`;
    await copyImage(oci(`${image.layoutDir}:latest`), daemon(ourName), { destinationContext: ctx });
    await runSkopeoChecked([
      'copy',
      '--dest-daemon-host',
      ctx.daemonHost ?? '',
      image.reference,
      `docker-daemon:${theirName}`,
    ]);
    const ours = await engine().client.inspectImage(ourName);
    const theirs = await engine().client.inspectImage(theirName);
    expect(ours?.Id).toBe(theirs?.Id);
    expect(ours?.RootFS.Layers).toEqual(theirs?.RootFS.Layers);
  });
});

describe('references: skopeo 1.9.3 refuses what we refuse', () => {
  it.each(['busybox', `busybox:v1@sha256:${'0'.repeat(64)}`, 'sha256:abc', '0'.repeat(64), 'Busy:x'])(
    'docker-daemon:%s',
    async (input) => {
      const skopeo = await runSkopeo([
        'inspect',
        '--daemon-host',
        'unix:///nonexistent.sock',
        `docker-daemon:${input}`,
      ]);
      expect(skopeo.exitCode).not.toBe(0);
      expect(skopeo.stderr).not.toContain('Cannot connect');
      let refused: unknown;
      try {
        daemon(input);
      } catch (error) {
        refused = error;
      }
      expect(isSkopeoError(refused, 'INVALID_REFERENCE')).toBe(true);
    },
  );
});
