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

/**
 * Lists the store with podman until `until` settles. skopeo 1.9.3 and podman 4.3 (containers/image
 * 5.23) create an image's record before its manifest and config, so podman may fail to list the
 * store while one of *their* images is half-written ("locating item named "manifest" for image
 * with ID …"). That is tolerated for their images (`theirs`, by ID) and counted; for ours it fails.
 */
async function keepListing(
  store: TestStore,
  until: Promise<unknown>,
  theirs: ReadonlySet<string>,
): Promise<{ listings: number; theirsHalfWritten: number }> {
  let listings = 0;
  let theirsHalfWritten = 0;
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    try {
      await podman(store, ['images', '--format', 'json']);
      listings++;
    } catch (error) {
      const id = /for image with ID "([0-9a-f]{64})"/.exec((error as Error).message)?.[1];
      if (id === undefined || !theirs.has(id)) throw error;
      theirsHalfWritten++;
    }
  }
  return { listings, theirsHalfWritten };
}

/** Waits for every writer and fails with what each one that failed said. */
async function allWriters(writers: Record<string, Promise<unknown>>): Promise<void> {
  const names = Object.keys(writers);
  const results = await Promise.allSettled(Object.values(writers));
  const failures = results.flatMap((result, index) =>
    result.status === 'rejected'
      ? [`${names[index]}: ${(result.reason as Error)?.message ?? String(result.reason)}`]
      : [],
  );
  if (failures.length > 0) throw new Error(`writers failed:\n${failures.join('\n')}`);
}

describe.each(['vfs', 'overlay'] as const)('%s: concurrent writers in one store', (setup) => {
  it("ours, skopeo's and podman's, sharing layers, lose nothing while podman lists the store", async () => {
    const scratch = await temp.dir();
    const layout = `${scratch}/layout`;
    const tags: string[] = [];
    const imageIds: string[] = [];
    for (let n = 0; n < 7; n++) {
      const built = await buildOciImage(
        layout,
        variant(n % 2 === 0 ? fixtures.multiLayer() : fixtures.single(), n),
        { tag: `t${n}` },
      );
      tags.push(`t${n}`);
      imageIds.push(built.configDigest.replace(/^sha256:/, ''));
    }
    const store = await temp.store(setup);
    const name = (tag: string) => `localhost/shared:${tag}`;
    const writers = allWriters({
      'ours (t0)': copyImage(oci(`${layout}:t0`), store.ref(name('t0'))),
      'ours (t1)': copyImage(oci(`${layout}:t1`), store.ref(name('t1'))),
      'ours in another process (t2, t3)': spawnCopy([
        { src: `oci:${layout}:t2`, dest: store.text(name('t2')) },
        { src: `oci:${layout}:t3`, dest: store.text(name('t3')) },
      ]).exited.then((exit) => {
        if (exit.code !== 0) throw new Error(`exit ${JSON.stringify(exit)}`);
      }),
      'skopeo (t4)': skopeoCopy(`oci:${layout}:t4`, store.text(name('t4'))),
      'skopeo (t5)': skopeoCopy(`oci:${layout}:t5`, store.text(name('t5'))),
      // podman names an image pulled from oci:PATH:TAG "localhost/PATH:latest".
      'podman pull (t6)': podman(store, ['pull', '-q', `oci:${layout}:t6`]),
    });
    // Both settle before anything is checked: a store is never removed under a running writer.
    const [listing, written] = await Promise.allSettled([
      keepListing(store, writers, new Set(imageIds.slice(4))),
      writers,
    ]);
    const problems = [listing, written].flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as Error).message] : [],
    );
    if (problems.length > 0 || listing.status === 'rejected') throw new Error(problems.join('\n'));
    expect(listing.value.listings).toBeGreaterThan(0);

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
