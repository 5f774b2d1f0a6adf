// `skopeo inspect --config`: the config blob read into image-spec's v1.Image (which drops Docker-only
// fields) and written back with its field order and omitempty/omitzero tags (image-spec 1.1).
import {
  decodeArray,
  decodeBool,
  decodeObject,
  decodeString,
  decodeStringMap,
  decodeStringSet,
  decodeStringSlice,
  decodeTime,
  goField,
  isJsonObject,
  type JsonObject,
} from '../go/decode.js';
import {
  type GoValue,
  goBool,
  goMap,
  goSlice,
  goString,
  goStringMap,
  goStringSlice,
  goStruct,
  goTime,
} from '../go/value.js';

const EMPTY_STRUCT = goStruct('struct {}', []);

function goSet(keys: string[] | undefined): GoValue {
  return goMap(keys === undefined ? undefined : new Map(keys.map((key) => [key, EMPTY_STRUCT])));
}

function imageConfigValue(config: JsonObject | undefined): GoValue {
  const field = (name: string) => (config === undefined ? undefined : goField(config, name));
  const where = (name: string) => `Image.config.${name}`;
  return goStruct('v1.ImageConfig', [
    {
      name: 'User',
      json: 'User',
      omitEmpty: true,
      value: goString(decodeString(field('User'), where('User'))),
    },
    {
      name: 'ExposedPorts',
      json: 'ExposedPorts',
      omitEmpty: true,
      value: goSet(decodeStringSet(field('ExposedPorts'), where('ExposedPorts'))),
    },
    {
      name: 'Env',
      json: 'Env',
      omitEmpty: true,
      value: goStringSlice(decodeStringSlice(field('Env'), where('Env'))),
    },
    {
      name: 'Entrypoint',
      json: 'Entrypoint',
      omitEmpty: true,
      value: goStringSlice(decodeStringSlice(field('Entrypoint'), where('Entrypoint'))),
    },
    {
      name: 'Cmd',
      json: 'Cmd',
      omitEmpty: true,
      value: goStringSlice(decodeStringSlice(field('Cmd'), where('Cmd'))),
    },
    {
      name: 'Volumes',
      json: 'Volumes',
      omitEmpty: true,
      value: goSet(decodeStringSet(field('Volumes'), where('Volumes'))),
    },
    {
      name: 'WorkingDir',
      json: 'WorkingDir',
      omitEmpty: true,
      value: goString(decodeString(field('WorkingDir'), where('WorkingDir'))),
    },
    {
      name: 'Labels',
      json: 'Labels',
      omitEmpty: true,
      value: goStringMap(decodeStringMap(field('Labels'), where('Labels'))),
    },
    {
      name: 'StopSignal',
      json: 'StopSignal',
      omitEmpty: true,
      value: goString(decodeString(field('StopSignal'), where('StopSignal'))),
    },
    {
      name: 'ArgsEscaped',
      json: 'ArgsEscaped',
      omitEmpty: true,
      value: goBool(decodeBool(field('ArgsEscaped'), where('ArgsEscaped'))),
    },
  ]);
}

function historyValue(entry: unknown, index: number): GoValue {
  const where = `Image.history[${index}]`;
  const object = decodeObject(entry, where, 'v1.History');
  const field = (name: string) => (object === undefined ? undefined : goField(object, name));
  return goStruct('v1.History', [
    {
      name: 'Created',
      json: 'created',
      omitEmpty: true,
      value: goTime(decodeTime(field('created'), `${where}.created`)),
    },
    {
      name: 'CreatedBy',
      json: 'created_by',
      omitEmpty: true,
      value: goString(decodeString(field('created_by'), `${where}.created_by`)),
    },
    {
      name: 'Author',
      json: 'author',
      omitEmpty: true,
      value: goString(decodeString(field('author'), `${where}.author`)),
    },
    {
      name: 'Comment',
      json: 'comment',
      omitEmpty: true,
      value: goString(decodeString(field('comment'), `${where}.comment`)),
    },
    {
      name: 'EmptyLayer',
      json: 'empty_layer',
      omitEmpty: true,
      value: goBool(decodeBool(field('empty_layer'), `${where}.empty_layer`)),
    },
  ]);
}

/** The OCI image config as `skopeo inspect --config` prints it. */
export function ociConfigValue(configBytes: Uint8Array): GoValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(configBytes).toString('utf8'));
  } catch (error) {
    throw new Error(`the image config is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isJsonObject(parsed)) throw new Error('the image config is not a JSON object');
  const config = parsed;
  const rootfs = decodeObject(goField(config, 'rootfs'), 'Image.rootfs', 'v1.RootFS');
  const history = decodeArray(goField(config, 'history'), 'Image.history', '[]v1.History');
  return goStruct('v1.Image', [
    {
      name: 'Created',
      json: 'created',
      omitEmpty: true,
      value: goTime(decodeTime(goField(config, 'created'), 'Image.created')),
    },
    {
      name: 'Author',
      json: 'author',
      omitEmpty: true,
      value: goString(decodeString(goField(config, 'author'), 'Image.author')),
    },
    // v1.Platform, embedded: its fields are promoted.
    {
      name: 'Architecture',
      json: 'architecture',
      value: goString(decodeString(goField(config, 'architecture'), 'Image.architecture')),
    },
    { name: 'OS', json: 'os', value: goString(decodeString(goField(config, 'os'), 'Image.os')) },
    {
      name: 'OSVersion',
      json: 'os.version',
      omitEmpty: true,
      value: goString(decodeString(goField(config, 'os.version'), 'Image.os.version')),
    },
    {
      name: 'OSFeatures',
      json: 'os.features',
      omitEmpty: true,
      value: goStringSlice(decodeStringSlice(goField(config, 'os.features'), 'Image.os.features')),
    },
    {
      name: 'Variant',
      json: 'variant',
      omitEmpty: true,
      value: goString(decodeString(goField(config, 'variant'), 'Image.variant')),
    },
    {
      name: 'Config',
      json: 'config',
      omitZero: true,
      value: imageConfigValue(decodeObject(goField(config, 'config'), 'Image.config', 'v1.ImageConfig')),
    },
    {
      name: 'RootFS',
      json: 'rootfs',
      value: goStruct('v1.RootFS', [
        {
          name: 'Type',
          json: 'type',
          value: goString(decodeString(rootfs && goField(rootfs, 'type'), 'Image.rootfs.type')),
        },
        {
          name: 'DiffIDs',
          json: 'diff_ids',
          value: goStringSlice(
            decodeStringSlice(rootfs && goField(rootfs, 'diff_ids'), 'Image.rootfs.diff_ids'),
          ),
        },
      ]),
    },
    {
      name: 'History',
      json: 'history',
      omitEmpty: true,
      value: goSlice(history?.map((entry, i) => historyValue(entry, i))),
    },
  ]);
}
