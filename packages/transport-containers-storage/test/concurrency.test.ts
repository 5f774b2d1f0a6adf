// Writers sharing one store: ours (in this process and in others), skopeo's and podman's at once,
// while podman keeps listing it. Nothing is lost, and podman never fails on a half-written image.
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, type ImageSpec, skopeoCopy } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { oci, podman, spawnCopy, type TestStore, useTempDirs } from './helpers.js';

const temp = useTempDirs();

function variant(spec: ImageSpec, n: number): ImageSpec {
  return { ...spec, labels: { ...(spec.labels ?? {}), 'org.skopeo-ts.variant': String(n) } };
}

async function keepListing(store: TestStore, until: Promise<unknown>): Promise<number> {
  let runs = 0;
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    await podman(store, ['images', '--format', 'json']);
    runs++;
  }
  return runs;
}

describe.each(['vfs', 'overlay'] as const)('%s: concurrent writers in one store', (setup) => {
  it("ours, skopeo's and podman's, sharing layers, lose nothing while podman lists the store", async () => {
    const scratch = await temp.dir();
    const layout = `${scratch}/layout`;
    const tags: string[] = [];
    for (let n = 0; n < 7; n++) {
      await buildOciImage(layout, variant(n % 2 === 0 ? fixtures.multiLayer() : fixtures.single(), n), {
        tag: `t${n}`,
      });
      tags.push(`t${n}`);
    }
    const store = await temp.store(setup);
    const name = (tag: string) => `localhost/shared:${tag}`;
    const writers = Promise.all([
      copyImage(oci(`${layout}:t0`), store.ref(name('t0'))),
      copyImage(oci(`${layout}:t1`), store.ref(name('t1'))),
      spawnCopy([
        { src: `oci:${layout}:t2`, dest: store.text(name('t2')) },
        { src: `oci:${layout}:t3`, dest: store.text(name('t3')) },
      ]).exited.then((exit) => expect(exit, exit.stderr).toMatchObject({ code: 0 })),
      skopeoCopy(`oci:${layout}:t4`, store.text(name('t4'))),
      skopeoCopy(`oci:${layout}:t5`, store.text(name('t5'))),
      // podman names an image pulled from oci:PATH:TAG "localhost/PATH:latest".
      podman(store, ['pull', '-q', `oci:${layout}:t6`]),
    ]);
    const listings = await keepListing(store, writers);
    await writers;
    expect(listings).toBeGreaterThan(0);

    const listed = JSON.parse(await podman(store, ['images', '--format', 'json'])) as { Names?: string[] }[];
    const podmanName = `localhost${layout}:latest`;
    expect(listed.flatMap((image) => image.Names ?? []).sort()).toEqual(
      [...tags.slice(0, 6).map(name), podmanName].sort(),
    );
    for (const stored of [...tags.slice(0, 6).map(name), podmanName]) {
      const tag = stored.slice(stored.lastIndexOf(':') + 1);
      await copyImage(store.ref(stored), oci(`${scratch}/out:${tag}`));
      await skopeoCopy(store.text(stored), `oci:${scratch}/skopeo-out:${tag}`);
    }
  });
});
