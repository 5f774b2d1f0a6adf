// Real processes: a copy killed with SIGKILL mid-blob, and several processes writing one layout.
// The children run the built package (dist/), as a CLI would.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, verifyOciLayout } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { oci, readIndexJson, refNames, spawnCopy, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Our temp files in `dir` that have some content (a blob being written). */
async function growingTempFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith('.skopeo-ts-tmp-')) continue;
    const size = await stat(join(dir, name)).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0) found.push(name);
  }
  return found;
}

describe('an interrupted copy (kill -9 mid-blob)', () => {
  it('leaves the layout valid with only the old entries; the next writer removes its temp file', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'dest');
    await buildOciImage(dest, fixtures.single(), { tag: 'old' });
    const before = await readIndexJson(dest);
    // 96 MiB of incompressible data in an uncompressed layer: the destination gzips it on the fly,
    // which takes a few seconds, so the kill lands while the blob is being written.
    const big = await buildOciImage(join(dir, 'big'), {
      layers: [{ entries: [{ type: 'file', path: 'big.bin', size: 96 * 1024 * 1024 }], compression: 'none' }],
    });

    const child = spawnCopy([{ src: `oci:${big.layoutDir}:latest`, dest: `oci:${dest}:new` }]);
    await child.waitFor('progress');
    let partial: string[] = [];
    for (let i = 0; i < 200 && partial.length === 0; i++) {
      partial = await growingTempFiles(dest);
      if (partial.length === 0) await sleep(10);
    }
    expect(partial.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');

    // The layout still validates and lists only what it had; the partial blob is only a temp file.
    expect(await readIndexJson(dest)).toEqual(before);
    await verifyOciLayout(dest);
    const names = await readdir(dest);
    expect(names).toContain(partial[0]);
    expect(partial[0]).toContain(`-${child.pid}-`);
    expect(names).not.toContain('index.json.lock');
    // Readers ignore the leftover.
    const source = await oci(`${dest}:old`).newSource({});
    await source.getManifest();
    await source.close();

    // The next writer cleans up after the dead one and commits normally.
    await copyImage(oci(`${big.layoutDir}:latest`), oci(`${dest}:new`), {
      destinationContext: { ociAcceptUncompressedLayers: true },
    });
    expect(await readdir(dest)).not.toContain(partial[0]);
    expect(refNames(await readIndexJson(dest))).toEqual(['old', 'new']);
    await verifyOciLayout(dest);
  });
});

describe('concurrent writers', () => {
  it('several processes copying into one layout at once lose no index entry', async () => {
    const dir = await tempDir();
    const single = await buildOciImage(join(dir, 'single'), fixtures.single());
    const layered = await buildOciImage(join(dir, 'layered'), fixtures.multiLayer());
    const dest = join(dir, 'shared-layout');
    const writers = 4;
    const perWriter = 4;
    const expected: string[] = [];
    const children = Array.from({ length: writers }, (_, w) => {
      const jobs = Array.from({ length: perWriter }, (_, j) => {
        const name = `writer${w}-copy${j}`;
        expected.push(name);
        const from = (w + j) % 2 === 0 ? single.layoutDir : layered.layoutDir;
        return { src: `oci:${from}:latest`, dest: `oci:${dest}:${name}` };
      });
      return spawnCopy(jobs);
    });
    const exits = await Promise.all(children.map((child) => child.exited));
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });

    const index = await readIndexJson(dest);
    expect(refNames(index).sort()).toEqual(expected.sort());
    await verifyOciLayout(dest);
    expect((await readdir(dest)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });
});
