// A tiny `docker save` archive for seeding engines in tests without going through the code
// under test: one layer of small files, a config, manifest.json. Layer bytes are held in memory,
// so keep the files small (a few KB); for real-sized images use the fixture builder + a transport.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as createPack } from 'tar-stream';
import { addTarEntry, FIXED_DATE } from '../tar.js';

export interface DockerSaveSpec {
  /** `name:tag` stored in RepoTags, e.g. `localhost/seed:v1`. */
  tag: string;
  /** path → content of the layer's files. */
  files: Record<string, string>;
}

async function tarBytes(fill: (pack: ReturnType<typeof createPack>) => Promise<void>): Promise<Buffer> {
  const pack = createPack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  await fill(pack);
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes the archive to `path`; returns its config's image ID and the layer's DiffID. */
export async function writeDockerSaveArchive(
  path: string,
  spec: DockerSaveSpec,
): Promise<{ imageId: string; diffId: string }> {
  const layer = await tarBytes(async (pack) => {
    for (const [name, content] of Object.entries(spec.files)) {
      const body = Buffer.from(content);
      await addTarEntry(pack, { name, mode: 0o644, size: body.length, mtime: FIXED_DATE, type: 'file' }, [
        body,
      ]);
    }
  });
  const diffId = `sha256:${sha256(layer)}`;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: FIXED_DATE.toISOString(),
      config: { Env: ['PATH=/usr/bin:/bin'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: FIXED_DATE.toISOString(), created_by: 'skopeo-ts testkit' }],
    }),
  );
  const configHex = sha256(config);
  const layerName = `${sha256(layer)}/layer.tar`;
  const manifest = Buffer.from(
    JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [spec.tag], Layers: [layerName] }]),
  );
  const archive = await tarBytes(async (pack) => {
    const file = (name: string, body: Buffer) =>
      addTarEntry(pack, { name, mode: 0o644, size: body.length, mtime: FIXED_DATE, type: 'file' }, [body]);
    await file(`${configHex}.json`, config);
    await file(layerName, layer);
    await file('manifest.json', manifest);
  });
  await pipeline(Readable.from([archive]), createWriteStream(path));
  return { imageId: `sha256:${configHex}`, diffId };
}
