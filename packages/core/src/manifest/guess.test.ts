import { describe, expect, it } from 'vitest';
import { guessManifestMediaType } from './guess.js';
import {
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.js';
import {
  DOCKER_LIST,
  DOCKER_V2S2,
  enc,
  OCI_INDEX,
  OCI_MANIFEST,
  schema1Object,
  signSchema1,
} from './test-fixtures.js';

const guess = (text: string) => guessManifestMediaType(enc(text));

describe('guessManifestMediaType', () => {
  it.each([
    ['OCI manifest', OCI_MANIFEST, MEDIA_TYPE_OCI_MANIFEST],
    ['Docker schema 2', DOCKER_V2S2, MEDIA_TYPE_DOCKER_V2S2_MANIFEST],
    ['OCI index', OCI_INDEX, MEDIA_TYPE_OCI_INDEX],
    ['Docker list', DOCKER_LIST, MEDIA_TYPE_DOCKER_V2_LIST],
    ['unsigned schema 1', JSON.stringify(schema1Object(), null, 3), MEDIA_TYPE_DOCKER_V2S1_MANIFEST],
    [
      'schema 1 with "signatures": null',
      JSON.stringify({ ...schema1Object(), signatures: null }),
      MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
    ],
    [
      'schema 1 with bad signatures',
      JSON.stringify({ ...schema1Object(), signatures: 1 }),
      MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
    ],
    // Before image-spec 1.0.2 there was no mediaType field.
    [
      'OCI manifest without mediaType',
      '{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:x","size":1},"layers":[]}',
      MEDIA_TYPE_OCI_MANIFEST,
    ],
    [
      'Docker schema 2 without mediaType',
      '{"schemaVersion":2,"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:x"},"layers":[]}',
      MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
    ],
    [
      'artifact without mediaType',
      '{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:x","size":1},"layers":[]}',
      MEDIA_TYPE_OCI_MANIFEST,
    ],
    [
      'OCI index without mediaType',
      '{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:x","size":1}]}',
      MEDIA_TYPE_OCI_INDEX,
    ],
    [
      'schemaVersion 2 with an empty manifests list',
      '{"schemaVersion":2,"manifests":[]}',
      MEDIA_TYPE_OCI_MANIFEST,
    ],
    ['unknown schemaVersion', '{"schemaVersion":99,"name":"x"}', ''],
    ['no schemaVersion', '{"name":"x"}', ''],
    ['unknown mediaType and version', '{"mediaType":"application/vnd.example+json"}', ''],
    [
      'recognised mediaType, no schemaVersion',
      `{"mediaType":"${MEDIA_TYPE_OCI_INDEX}"}`,
      MEDIA_TYPE_OCI_INDEX,
    ],
    ['not JSON', '\x1f\x8b\x08\x00 gzip', ''],
    ['empty', '', ''],
    ['a JSON array', '[1,2]', ''],
    ['JSON null', 'null', ''],
    ['mediaType of the wrong type', '{"schemaVersion":2,"mediaType":7}', ''],
    ['schemaVersion as a string', '{"schemaVersion":"2","config":{}}', ''],
    ['config that is not an object', '{"schemaVersion":2,"config":"x"}', ''],
    ['manifests that is not an array', '{"schemaVersion":2,"manifests":{}}', ''],
    [
      'both manifests and another config type',
      '{"schemaVersion":2,"config":{"mediaType":"a/b"},"manifests":[{}]}',
      '',
    ],
    ['a byte-order mark', `\ufeff${OCI_MANIFEST}`, ''],
  ])('%s', (_name, text, expected) => {
    expect(guess(text)).toBe(expected);
  });

  it('recognises a signed schema 1 manifest', () => {
    const { signed } = signSchema1(JSON.stringify(schema1Object(), null, 3));
    expect(guessManifestMediaType(signed)).toBe(MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST);
  });
});
