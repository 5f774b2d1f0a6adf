// Private temp directories (spooled archives, layers of unknown size), removed when done.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, IoError } from '@skopeo-ts/core';

export async function makeTempDir(ctx: Context, purpose: string): Promise<string> {
  const base = ctx.tmpDir ?? tmpdir();
  try {
    return await mkdtemp(join(base, `skopeo-ts-docker-archive-${purpose}-`));
  } catch (error) {
    throw new IoError('creating a temp directory in', base, error);
  }
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
