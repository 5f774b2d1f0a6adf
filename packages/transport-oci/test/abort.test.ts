// Aborts are reported as aborts (core's ABORTED), never as an I/O error of whatever file was being
// written when the signal fired, and they leave no temp file behind.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Digest, digestOf, isSkopeoError, MemoryBlobInfoCache } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import { packLayout } from '../src/archive/pack.js';
import { expectSkopeoError, oci, ociArchive, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/** A stream that sends the first half of `bytes`, then nothing more (until destroyed). */
function stallingHalfway(bytes: Buffer): { stream: Readable; stalled: Promise<void> } {
  let reached!: () => void;
  const stalled = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let sent = false;
  const stream = new Readable({
    read() {
      if (sent) {
        reached();
        return;
      }
      sent = true;
      this.push(bytes.subarray(0, bytes.length / 2));
    },
  });
  return { stream, stalled };
}

async function tempFilesUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.filter((name) => name.split('/').some((part) => part.startsWith('.skopeo-ts-tmp-')));
}

describe('an aborted write', () => {
  it.each([
    ['oci:', (dir: string) => oci(`${dir}/layout:x`), (dir: string) => join(dir, 'layout')],
    ['oci-archive:', (dir: string) => ociArchive(`${dir}/image.tar:x`), (dir: string) => dir],
  ])('into %s fails with ABORTED, not IO, and leaves no temp file', async (_what, reference, where) => {
    const dir = await tempDir();
    const tmpDir = join(dir, 'tmp');
    await (await import('node:fs/promises')).mkdir(tmpDir);
    const destination = await reference(dir).newDestination({ tmpDir });
    const bytes = Buffer.alloc(1024 * 1024, 7);
    const { stream, stalled } = stallingHalfway(bytes);
    const controller = new AbortController();
    const putting = destination.putBlob(
      stream,
      { digest: digestOf(bytes) as Digest, size: bytes.length },
      { isConfig: false, cache: new MemoryBlobInfoCache(), signal: controller.signal },
    );
    putting.catch(() => {});
    await stalled;
    controller.abort();
    const error = await expectSkopeoError(putting, 'ABORTED');
    expect(error.message).not.toMatch(/^writing .*\.skopeo-ts-tmp-/);
    await destination.close();
    expect(await tempFilesUnder(where(dir))).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('of an archive fails with ABORTED and leaves neither the archive nor its temp file', async () => {
    const dir = await tempDir();
    const layout = join(dir, 'layout');
    await (await import('node:fs/promises')).mkdir(layout);
    // Enough data that packing takes a while: the abort lands mid-way.
    for (let i = 0; i < 8; i++) await writeFile(join(layout, `blob-${i}`), Buffer.alloc(4 * 1024 * 1024, i));
    const controller = new AbortController();
    const target = join(dir, 'out', 'image.tar');
    const packing = packLayout(layout, target, controller.signal);
    packing.catch(() => {});
    setTimeout(() => controller.abort(), 5);
    let error: unknown;
    try {
      await packing;
    } catch (caught) {
      error = caught;
    }
    expect(isSkopeoError(error, 'ABORTED'), String(error)).toBe(true);
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });
});
