// Recording an image: big-data files first, then its record in images.json, in one locked
// update so podman sees the whole image or none. A name moves: it is taken off any image that
// had it. An image that already exists (same ID) gains the name and the big data.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { bigDataFileName } from './big-data.js';
import { goJson, goTime } from './go-json.js';
import type { ImageRecord } from './records.js';
import type { Store } from './store.js';

export interface BigDataItem {
  key: string;
  bytes: Uint8Array;
  /** For `manifest…` keys the manifest digest, else sha256 of the bytes. */
  digest: string;
}

export interface NewImage {
  id: string;
  /** The manifest digest recorded as the image's `digest`. */
  digest: string;
  name: string | undefined;
  topLayer: string | undefined;
  created: Date;
  bigData: readonly BigDataItem[];
  /** Signature sizes per manifest digest, kept in `metadata`. */
  signatureSizes: Record<string, number[]>;
}

function withoutName(image: ImageRecord, name: string): ImageRecord {
  if (!(image.names ?? []).includes(name)) return image;
  const names = (image.names ?? []).filter((candidate) => candidate !== name);
  const next: ImageRecord = { ...image, names };
  if (names.length === 0) delete next.names;
  return next;
}

function mergedMetadata(existing: string | undefined, sizes: Record<string, number[]>): string {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(existing ?? '{}') as unknown;
    if (typeof value === 'object' && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    // metadata is free-form caller data; if it is not ours, start over
  }
  const previous = (parsed['signatures-sizes'] as Record<string, number[]> | undefined) ?? {};
  const merged = sortedKeys({ ...previous, ...sizes });
  // The legacy top-level list (struct order: it comes first) goes with the legacy `signatures` item.
  const legacy = Object.values(sizes).find((list) => list.length > 0);
  const { 'signature-sizes': oldLegacy, 'signatures-sizes': _old, ...rest } = parsed;
  return goJson({
    ...(legacy !== undefined
      ? { 'signature-sizes': legacy }
      : oldLegacy !== undefined
        ? { 'signature-sizes': oldLegacy }
        : {}),
    'signatures-sizes': merged,
    ...rest,
  });
}

export async function recordImage(store: Store, image: NewImage, signal?: AbortSignal): Promise<void> {
  await store.withImages(
    'write',
    async (records, save) => {
      const dir = store.imageDir(image.id);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const item of image.bigData) {
        await writeFileAtomic(join(dir, bigDataFileName(item.key)), item.bytes);
      }
      const existing = records.find((record) => record.id === image.id);
      // The new name goes first, as skopeo 1.9.3 records it (verified).
      const names = [...(existing?.names ?? [])].filter((name) => name !== image.name);
      if (image.name !== undefined) names.unshift(image.name);
      const history =
        image.name === undefined
          ? (existing?.['names-history'] ?? [])
          : [image.name, ...(existing?.['names-history'] ?? []).filter((n) => n !== image.name)];
      const bigDataNames = [...(existing?.['big-data-names'] ?? [])];
      const sizes = { ...(existing?.['big-data-sizes'] ?? {}) };
      const digests = { ...(existing?.['big-data-digests'] ?? {}) };
      for (const item of image.bigData) {
        if (!bigDataNames.includes(item.key)) bigDataNames.push(item.key);
        sizes[item.key] = item.bytes.length;
        digests[item.key] = item.digest;
      }
      // Go's struct order: id, digest, names, names-history, layer, metadata, big data, created.
      const record: ImageRecord = {
        ...(existing ?? {}),
        id: image.id,
        digest: existing?.digest ?? image.digest,
        ...(names.length > 0 ? { names } : {}),
        ...(history.length > 0 ? { 'names-history': history } : {}),
        ...(image.topLayer === undefined ? {} : { layer: image.topLayer }),
        metadata: mergedMetadata(existing?.metadata, image.signatureSizes),
        'big-data-names': bigDataNames,
        'big-data-sizes': sortedKeys(sizes),
        'big-data-digests': sortedKeys(digests),
        created: existing?.created ?? goTime(image.created),
      };
      const others = records
        .filter((candidate) => candidate.id !== image.id)
        .map((candidate) => (image.name === undefined ? candidate : withoutName(candidate, image.name)));
      await save(
        existing === undefined
          ? [...others, record]
          : records.map((r) => (r.id === image.id ? record : (others.find((o) => o.id === r.id) ?? r))),
      );
    },
    signal,
  );
}

/** Go writes map keys sorted (big-data-sizes, big-data-digests are maps). */
function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
