// Signatures: what skopeo stores we read back; what we store has skopeo's layout (the legacy
// `signatures` item and `signature-sizes` beside the per-manifest ones), and we read it back.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage } from '@skopeo-ts/core';
import { buildOciImage, fixtures, skopeoCopy } from '@skopeo-ts/testkit';
import { createMemoryTransport } from '@skopeo-ts/transport-conformance';
import { describe, expect, it } from 'vitest';
import { type TestStore, useTempDirs } from './helpers.js';

const temp = useTempDirs();
// skopeo parses what it stores: these start like binary OpenPGP, as simple signing signatures do.
const SIGNATURES = [
  Buffer.from('\xa3first signature', 'latin1'),
  Buffer.from('\xa3second, longer one', 'latin1'),
];

interface ImageJson {
  metadata: string;
  'big-data-names': string[];
  digest: string;
}

async function imageRecord(store: TestStore): Promise<ImageJson> {
  const [record] = JSON.parse(
    await readFile(join(store.graphRoot, `${store.driver}-images/images.json`), 'utf8'),
  ) as ImageJson[];
  if (record === undefined) throw new Error('no image record');
  return record;
}

async function readSignatures(store: TestStore, name: string): Promise<Buffer[]> {
  const source = await store.ref(name).newSource({});
  try {
    return (await source.getSignatures()).map((s) =>
      Buffer.from(s.kind === 'simple-signing' ? s.bytes : new Uint8Array()),
    );
  } finally {
    await source.close();
  }
}

describe('signatures', () => {
  it('we read what skopeo stored, and store the same records', async () => {
    const scratch = await temp.dir();
    await buildOciImage(`${scratch}/layout`, fixtures.single(), { tag: 'v1' });
    const signed = `${scratch}/signed`;
    await skopeoCopy(`oci:${scratch}/layout:v1`, `dir:${signed}`);
    await mkdir(signed, { recursive: true });
    for (const [i, signature] of SIGNATURES.entries())
      await writeFile(join(signed, `signature-${i + 1}`), signature);

    const theirs = await temp.store('vfs');
    await skopeoCopy(`dir:${signed}`, theirs.text('localhost/signed:v1'));
    expect(await readSignatures(theirs, 'localhost/signed:v1')).toEqual(SIGNATURES);

    // Ours, from an in-memory copy of the same image and signatures (a signed image is copied
    // without changing its layers, so it cannot come out of a store, which serves them uncompressed).
    const memory = createMemoryTransport();
    const manifest = await readFile(join(signed, 'manifest.json'));
    const parsed = JSON.parse(manifest.toString('utf8')) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    for (const digest of [parsed.config.digest, ...parsed.layers.map((layer) => layer.digest)]) {
      memory.store.addBlob(
        digest as `sha256:${string}`,
        await readFile(join(signed, digest.replace('sha256:', ''))),
      );
    }
    memory.store.setImage('signed', {
      manifest: { bytes: manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      instances: new Map(),
      signatures: new Map([['', SIGNATURES.map((bytes) => ({ kind: 'simple-signing' as const, bytes }))]]),
    });
    const ours = await temp.store('vfs');
    await copyImage(memory.transport.parseReference('signed'), ours.ref('localhost/signed:v1'));
    expect(await readSignatures(ours, 'localhost/signed:v1')).toEqual(SIGNATURES);
    const [theirRecord, ourRecord] = [await imageRecord(theirs), await imageRecord(ours)];
    expect(ourRecord.metadata).toBe(theirRecord.metadata);
    expect(ourRecord['big-data-names']).toEqual(theirRecord['big-data-names']);
  });
});
