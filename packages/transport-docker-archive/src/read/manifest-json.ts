// docker save's manifest.json: an array of {Config, RepoTags, Layers} (plus fields we ignore,
// e.g. Docker 25's LayerSources), checked so that a damaged file is refused with a clear reason.
import { corruptArchive } from '../errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const REPOSITORIES_FILE = 'repositories';

export interface ManifestItem {
  /** Member name of the image config. */
  config: string;
  /** Names the image is tagged with, as stored (e.g. "docker.io/library/busybox:latest"). */
  repoTags: string[];
  /** Member names of the layers, bottom first. */
  layers: string[];
}

function stringArray(value: unknown, field: string, index: number, label: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw corruptArchive(label, `${MANIFEST_FILE} item @${index}: ${field} must be an array of strings`);
  }
  return value as string[];
}

export function parseManifestJson(bytes: Uint8Array, label: string): ManifestItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw corruptArchive(label, `${MANIFEST_FILE} is not valid JSON: ${(error as Error).message}`, error);
  }
  if (!Array.isArray(parsed)) throw corruptArchive(label, `${MANIFEST_FILE} must hold a JSON array`);
  return parsed.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw corruptArchive(label, `${MANIFEST_FILE} item @${index} is not an object`);
    }
    const record = item as Record<string, unknown>;
    if (typeof record.Config !== 'string' || record.Config === '') {
      throw corruptArchive(label, `${MANIFEST_FILE} item @${index} has no Config`);
    }
    return {
      config: record.Config,
      repoTags: stringArray(record.RepoTags, 'RepoTags', index, label),
      layers: stringArray(record.Layers, 'Layers', index, label),
    };
  });
}
