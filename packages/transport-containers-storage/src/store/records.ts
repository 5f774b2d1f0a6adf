// layers.json and images.json: arrays of records written by Go. Records are kept as the objects
// parsed, so fields we do not know survive our rewrites; new records are built in Go's field
// order. A file that does not parse is an error and is never overwritten.
import { readFile } from 'node:fs/promises';
import { IoError, SkopeoError } from '@skopeo-ts/core';
import { writeFileAtomic } from './atomic-write.js';
import { goJson } from './go-json.js';
import type { HeldLock } from './lock-file.js';

export interface LayerRecord {
  id: string;
  names?: string[];
  parent?: string;
  created?: string;
  'compressed-diff-digest'?: string;
  'compressed-size'?: number;
  'diff-digest'?: string;
  'diff-size'?: number;
  compression?: number;
  uidset?: number[];
  gidset?: number[];
  flags?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ImageRecord {
  id: string;
  digest?: string;
  names?: string[];
  'names-history'?: string[];
  layer?: string;
  metadata?: string;
  'big-data-names'?: string[];
  'big-data-sizes'?: Record<string, number>;
  'big-data-digests'?: Record<string, string>;
  created?: string;
  flags?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Reads a records file; a missing (or empty) file is an empty store. */
export async function readRecords<T extends { id: string }>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new IoError('read', path, error);
  }
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, `it is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw corrupt(path, 'it is not a JSON array');
  for (const [index, record] of parsed.entries()) {
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof (record as { id?: unknown }).id !== 'string'
    ) {
      throw corrupt(path, `entry ${index} has no "id"`);
    }
  }
  return parsed as T[];
}

function corrupt(path: string, why: string): SkopeoError {
  return new SkopeoError('CORRUPT', `the containers-storage file ${path} is damaged: ${why}`, {
    hint: 'it was left as it is; repair or remove it by hand (podman system reset removes the whole store)',
  });
}

/** Replaces a records file, holding its write lock: token first, then the JSON. */
export async function writeRecords(lock: HeldLock, path: string, records: readonly object[]): Promise<void> {
  await lock.recordWrite();
  await writeFileAtomic(path, goJson(records));
}

export function isIncomplete(record: { flags?: Record<string, unknown> }): boolean {
  return record.flags?.incomplete === true;
}
