// Where memory: images live, on disk so that separate skopeo-ts runs see them:
//
//   $SKOPEO_TS_MEMORY_DIR/            (default: <os.tmpdir()>/skopeo-ts-memory)
//     blobs/sha256/<hex>              layers, configs and manifests, named by digest
//     images/<NAME>.json              one record per image (below)
//     tmp/                            files being written; renamed into place when complete
//
// A record names the image's manifest and, for a manifest list, the media type of every
// instance: { "manifest": { "digest": "sha256:…", "mediaType": "…" }, "instances": { "sha256:…": "…" } }
//
// Every file appears with a rename, so a reader never sees half of one. Blobs are shared by all
// images and never removed (an example can afford that; a real transport would collect them).
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Context,
  contextEnv,
  type Digest,
  ImageNotFoundError,
  IoError,
  parseDigest,
  SkopeoError,
} from '@skopeo-ts/core';

/** The environment variable naming the store directory. */
export const MEMORY_DIR_VARIABLE = 'SKOPEO_TS_MEMORY_DIR';

export interface ImageRecord {
  manifest: { digest: Digest; mediaType: string };
  /** Media type of each instance of a manifest list, by digest; empty for a single image. */
  instances: Record<string, string>;
}

/** The store directory for a context: `$SKOPEO_TS_MEMORY_DIR`, else `<tmpdir>/skopeo-ts-memory`. */
export function storeRoot(ctx: Context): string {
  // Read through the context (the CLI passes its environment there), never process.env directly.
  const configured = contextEnv(ctx, MEMORY_DIR_VARIABLE);
  return configured !== undefined && configured !== '' ? configured : join(tmpdir(), 'skopeo-ts-memory');
}

export function blobPath(root: string, digest: string): string {
  // parseDigest refuses anything that is not algorithm:hex, so a hostile manifest cannot name
  // a path outside the store.
  const { algorithm, hex } = parseDigest(digest);
  return join(root, 'blobs', algorithm, hex);
}

export function recordPath(root: string, name: string): string {
  return join(root, 'images', `${name}.json`);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** A fresh path in the store's tmp/ directory (created), for a file about to be written. */
export async function tempPath(root: string): Promise<string> {
  const dir = join(root, 'tmp');
  await mkdir(dir, { recursive: true });
  return join(dir, randomUUID());
}

/** Moves a complete file into place (creating its directory); a reader sees all of it or nothing. */
export async function publish(temp: string, path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await rename(temp, path);
}

/** Writes `bytes` to `path` atomically. */
export async function writeAtomically(root: string, path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = await tempPath(root);
  try {
    await writeFile(temp, bytes);
    await publish(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new IoError('writing', path, error);
  }
}

/** The record of image `name`; NOT_FOUND (exit status 2 in the CLI) when there is none. */
export async function readRecord(root: string, name: string): Promise<ImageRecord> {
  const path = recordPath(root, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) {
      throw new ImageNotFoundError(`memory:${name}: no such image in ${root}`, {
        hint: `copy an image there first (skopeo-ts copy SOURCE memory:${name}), or set ${MEMORY_DIR_VARIABLE} to the store that has it`,
      });
    }
    throw new IoError('reading', path, error);
  }
  try {
    return JSON.parse(text) as ImageRecord;
  } catch (error) {
    throw new SkopeoError('IO', `${path} is not a valid image record: ${(error as Error).message}`);
  }
}

/** Reads a blob the store must have (a manifest); NOT_FOUND when it is gone. */
export async function readBlob(root: string, digest: string): Promise<Buffer> {
  const path = blobPath(root, digest);
  try {
    return await readFile(path);
  } catch (error) {
    if (isMissing(error)) throw new ImageNotFoundError(`blob ${digest} is not in ${root}`);
    throw new IoError('reading', path, error);
  }
}

/** Removes the record of image `name`; its blobs stay. NOT_FOUND when there is none. */
export async function deleteRecord(root: string, name: string): Promise<void> {
  const path = recordPath(root, name);
  try {
    await rm(path);
  } catch (error) {
    if (isMissing(error)) throw new ImageNotFoundError(`memory:${name}: no such image in ${root}`);
    throw new IoError('deleting', path, error);
  }
}
