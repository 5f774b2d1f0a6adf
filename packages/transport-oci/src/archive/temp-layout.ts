// The private temp directory an oci-archive is unpacked into or staged in, removed at close().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, IoError } from '@skopeo-ts/core';

export async function makeTempLayoutDir(ctx: Context): Promise<string> {
  const base = ctx.tmpDir ?? tmpdir();
  try {
    return await mkdtemp(join(base, 'skopeo-ts-oci-archive-'));
  } catch (error) {
    throw new IoError('creating a temp directory in', base, error);
  }
}

export async function removeTempLayoutDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
