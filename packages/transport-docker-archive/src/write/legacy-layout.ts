// The pre-1.10 parts of a docker save archive, as skopeo writes them: a `<id>/` directory per
// layer (VERSION, json, layer.tar as a symlink to the layer file) and `repositories`. docker load
// and skopeo read manifest.json instead; these keep older readers working.
import { createHash } from 'node:crypto';
import type { DockerReference } from '@skopeo-ts/core';

export interface LegacyImage {
  configDigest: string;
  configBytes: Uint8Array;
  /** Layer digests and member names, bottom first. */
  layers: readonly { digest: string; name: string }[];
  tags: readonly DockerReference[];
}

export interface LegacyLayer {
  id: string;
  /** The `<id>/json` bytes. */
  json: Uint8Array;
  /** The layer file the `<id>/layer.tar` symlink points at. */
  layerName: string;
}

const TOP_LAYER_CONFIG_FIELDS = [
  'architecture',
  'config',
  'container',
  'container_config',
  'created',
  'docker_version',
  'os',
];

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The config as an object; a config that is not one (an artifact) contributes nothing. */
function configObject(bytes: Uint8Array): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * Layer IDs follow the chain of layers below (Docker's ChainID), so equal stacks share IDs; the top
 * layer's ID also mixes in the config, as its json carries config fields. docker load allocates
 * its own IDs, so these only need to be unique and loop-free.
 */
export function legacyLayers(image: LegacyImage): LegacyLayer[] {
  const layers: LegacyLayer[] = [];
  let chain = '';
  let parent: string | undefined;
  for (const [index, layer] of image.layers.entries()) {
    chain = chain === '' ? layer.digest : `sha256:${sha256Hex(`${chain} ${layer.digest}`)}`;
    const top = index === image.layers.length - 1;
    const id = top ? sha256Hex(`${chain} ${image.configDigest}`) : chain.slice(chain.indexOf(':') + 1);
    const json: Record<string, unknown> = {};
    if (top) {
      const config = configObject(image.configBytes);
      for (const field of TOP_LAYER_CONFIG_FIELDS) if (field in config) json[field] = config[field];
    }
    json.id = id;
    if (parent !== undefined) json.parent = parent;
    layers.push({ id, json: Buffer.from(JSON.stringify(json)), layerName: layer.name });
    parent = id;
  }
  return layers;
}

/** `repositories`: {name: {tag: top layer ID}} for every tagged image with layers. */
export function repositoriesJson(
  images: readonly { tags: readonly DockerReference[]; topLayerId: string | undefined }[],
): Uint8Array {
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of images) {
    if (image.topLayerId === undefined) continue;
    for (const tag of image.tags) {
      if (tag.tag === undefined) continue;
      repositories[tag.name] ??= {};
      (repositories[tag.name] as Record<string, string>)[tag.tag] = image.topLayerId;
    }
  }
  return Buffer.from(JSON.stringify(repositories));
}
