// skopeo's inspect.Output (cmd/skopeo/inspect/output.go): the fields `skopeo inspect` prints, in
// its order, with its omitempty tags. Current skopeo has no Variant field here (only the library's
// ImageInspectInfo does), so neither do we: scripts see the same keys.
import {
  type GoValue,
  goInt,
  goSlice,
  goString,
  goStringMap,
  goStringSlice,
  goStruct,
  goTime,
} from '../go/value.js';
import type { ImageInspectInfo } from './image-info.js';

export interface InspectOutputInput {
  /** The docker reference name, "" when the transport has none. */
  name: string;
  /** Digest of the top-level manifest (the list's digest for a list). */
  digest: string;
  repoTags: string[];
  info: ImageInspectInfo;
}

export function inspectOutputValue(input: InspectOutputInput): GoValue {
  const { info } = input;
  const layersData = info.layersData.map((layer) =>
    goStruct('types.ImageInspectLayer', [
      { name: 'MIMEType', json: 'MIMEType', value: goString(layer.mimeType) },
      { name: 'Digest', json: 'Digest', value: goString(layer.digest) },
      { name: 'Size', json: 'Size', value: goInt(layer.size) },
      { name: 'Annotations', json: 'Annotations', value: goStringMap(layer.annotations) },
    ]),
  );
  return goStruct('inspect.Output', [
    { name: 'Name', json: 'Name', omitEmpty: true, value: goString(input.name) },
    { name: 'Tag', json: 'Tag', omitEmpty: true, value: goString(info.tag) },
    { name: 'Digest', json: 'Digest', value: goString(input.digest) },
    { name: 'RepoTags', json: 'RepoTags', value: goStringSlice(input.repoTags) },
    { name: 'Created', json: 'Created', value: goTime(info.created) },
    { name: 'DockerVersion', json: 'DockerVersion', value: goString(info.dockerVersion) },
    { name: 'Labels', json: 'Labels', value: goStringMap(info.labels) },
    { name: 'Architecture', json: 'Architecture', value: goString(info.architecture) },
    { name: 'Os', json: 'Os', value: goString(info.os) },
    { name: 'Layers', json: 'Layers', value: goStringSlice(info.layers) },
    { name: 'LayersData', json: 'LayersData', value: goSlice(layersData) },
    { name: 'Env', json: 'Env', value: goStringSlice(info.env) },
  ]);
}
