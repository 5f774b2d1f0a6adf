// docker-archive: through the CLI: --additional-tag, list-tags without Repository, and several
// sources into one archive (beyond skopeo), each read back by skopeo 1.9.3 with @N.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BuiltImage,
  buildOciImage,
  fixtures,
  makeTempDir,
  runSkopeo,
  type TempDir,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

let tmp: TempDir;
let first: BuiltImage;
let second: BuiltImage;

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-cli-archive');
  first = await buildOciImage(join(tmp.path, 'first'), fixtures.multiLayer(), { tag: 'v1' });
  second = await buildOciImage(join(tmp.path, 'second'), fixtures.single(), { tag: 'v2' });
});

afterAll(async () => {
  await tmp.cleanup();
});

async function skopeoJson(args: string[]): Promise<Record<string, unknown>> {
  const result = await runSkopeo(args);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('copy to docker-archive:', () => {
  it('--additional-tag names the image more than once; list-tags prints Tags only, as skopeo', async () => {
    const archive = join(tmp.path, 'tagged.tar');
    const copy = await runCli([
      'copy',
      '-q',
      first.reference,
      `docker-archive:${archive}:example/app:v1`,
      '--additional-tag',
      'example/app:latest',
      '--additional-tag=other:x,third:y',
    ]);
    expect(copy.exitCode, copy.stderr).toBe(0);
    const ours = await runCli(['list-tags', `docker-archive:${archive}`]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    const theirs = await runSkopeo(['list-tags', `docker-archive:${archive}`]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(JSON.parse(ours.stdout)).toEqual({
      Tags: [
        'docker.io/example/app:v1',
        'docker.io/example/app:latest',
        'docker.io/library/other:x',
        'docker.io/library/third:y',
      ],
    });
  });

  it('refuses an additional tag that is not a tagged reference, as skopeo', async () => {
    for (const [tag, message] of [
      ['foo', "additional-tag 'foo' must be a tagged reference"],
      ['Foo:x', "error parsing additional-tag 'Foo:x'"],
    ] as const) {
      const result = await runCli([
        'copy',
        first.reference,
        `docker-archive:${join(tmp.path, 'never.tar')}`,
        '--additional-tag',
        tag,
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(message);
    }
  });

  it('copies several sources into one new archive that skopeo reads with @N', async () => {
    const archive = join(tmp.path, 'both.tar');
    const named = join(tmp.path, 'named.tar');
    const seed = await runCli(['copy', '-q', first.reference, `docker-archive:${named}:example/first:v1`]);
    expect(seed.exitCode, seed.stderr).toBe(0);
    const result = await runCli([
      'copy',
      '-q',
      `docker-archive:${named}:example/first:v1`,
      second.reference,
      `docker-archive:${archive}`,
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const tags = await runCli(['list-tags', `docker-archive:${archive}`]);
    // The archive source is named in its reference; the oci: source has no docker name.
    expect(JSON.parse(tags.stdout)).toEqual({ Tags: ['docker.io/example/first:v1', '@1'] });
    const zero = await skopeoJson(['inspect', '--config', `docker-archive:${archive}:@0`]);
    const one = await skopeoJson(['inspect', '--config', `docker-archive:${archive}:@1`]);
    expect((zero.rootfs as { diff_ids: string[] }).diff_ids).toEqual(first.diffIds);
    expect((one.rootfs as { diff_ids: string[] }).diff_ids).toEqual(second.diffIds);
  });

  it('several sources need a destination that holds several, and leave nothing when one fails', async () => {
    const oci = await runCli(['copy', first.reference, second.reference, `oci:${join(tmp.path, 'one')}:x`]);
    expect(oci.exitCode).toBe(1);
    expect(oci.stderr).toContain('cannot store several images');
    const archive = join(tmp.path, 'partial.tar');
    const missing = await runCli([
      'copy',
      first.reference,
      `oci:${join(tmp.path, 'first')}:no-such-tag`,
      `docker-archive:${archive}`,
    ]);
    expect(missing.exitCode).toBe(2);
    await expect(writeFile(archive, '', { flag: 'wx' })).resolves.toBeUndefined();
  });
});
