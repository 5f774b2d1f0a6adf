// `skopeo-ts manifest-digest FILE`: containers/image's manifest.Digest of the file (a signed
// schema 1 manifest is digested without its signatures).
import { readFile } from 'node:fs/promises';
import { manifestDigest, SkopeoError } from '@skopeo-ts/core';
import type { App } from '../app.js';

export async function runManifestDigest(app: App, file: string): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new SkopeoError('IO', `Error reading manifest from ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  app.io.stdout.write(`${manifestDigest(bytes)}\n`);
}
