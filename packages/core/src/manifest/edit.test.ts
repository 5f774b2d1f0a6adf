import { describe, expect, it } from 'vitest';
import { digestOf } from '../digest.js';
import { isSkopeoError } from '../errors.js';
import { editManifest } from './builder.js';
import { filterListInstances, withConfigInfo, withLayerInfos, withListInstances } from './edit.js';
import {
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_LAYER_ZSTD,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.js';
import {
  layerInfos,
  listInstances,
  type ParsedDockerV2S2Manifest,
  type ParsedOciIndex,
  type ParsedOciManifest,
  parseManifest,
} from './parse.js';
import { serializeManifest } from './serialize.js';
import {
  AMD64,
  ARM64,
  DOCKER_LIST,
  DOCKER_V2S2,
  dec,
  enc,
  fakeDigest,
  OCI_INDEX,
  OCI_MANIFEST,
  schema1Object,
} from './test-fixtures.js';

const oci = () => parseManifest(enc(OCI_MANIFEST)) as ParsedOciManifest;
const docker = () => parseManifest(enc(DOCKER_V2S2)) as ParsedDockerV2S2Manifest;
const index = () => parseManifest(enc(OCI_INDEX)) as ParsedOciIndex;

describe('editing manifests', () => {
  it('keeps the original object and bytes when the layers are the same', () => {
    for (const parsed of [oci(), docker()]) {
      const same = withLayerInfos(parsed, layerInfos(parsed));
      expect(same).toBe(parsed);
      expect(serializeManifest(same)).toBe(parsed.bytes);
    }
  });

  it('keeps the original when the edits of a builder cancel out', () => {
    const parsed = docker();
    const infos = layerInfos(parsed);
    const built = editManifest(parsed)
      .layers(infos.map((info) => ({ ...info, mediaType: MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR })))
      .layers(infos)
      .build();
    expect(built).toBe(parsed);
    expect(editManifest(parsed).build()).toBe(parsed);
  });

  it('rewrites an OCI manifest compactly, as Go json.Marshal, when a layer changes', () => {
    const parsed = oci();
    const infos = layerInfos(parsed);
    const decompressed = fakeDigest('layer-1 decompressed');
    const updated = withLayerInfos(parsed, [
      {
        ...(infos[0] as (typeof infos)[0]),
        digest: decompressed,
        size: 10240000,
        mediaType: MEDIA_TYPE_OCI_LAYER_TAR,
      },
      infos[1] as (typeof infos)[0],
    ]);
    expect(updated).not.toBe(parsed);
    expect(updated.kind).toBe('oci-manifest');
    const expected = OCI_MANIFEST.replace(
      `{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"${infos[0]?.digest}","size":3623807}`,
      `{"mediaType":"${MEDIA_TYPE_OCI_LAYER_TAR}","digest":"${decompressed}","size":10240000}`,
    );
    expect(dec(updated.bytes)).toBe(expected);
    expect(updated.json).toEqual(JSON.parse(expected));
    expect(layerInfos(updated)[0]?.digest).toBe(decompressed);
    // The original is untouched.
    expect(layerInfos(parsed)[0]?.digest).toBe(infos[0]?.digest);
  });

  it('rewrites a Docker manifest with Go field order (size before digest) and no indentation', () => {
    const parsed = docker();
    const infos = layerInfos(parsed);
    const updated = withLayerInfos(
      parsed,
      infos.map((info) => ({ ...info, urls: undefined })),
    );
    const text = dec(updated.bytes);
    expect(text).not.toContain('\n');
    expect(text).not.toContain('urls');
    expect(
      text.startsWith(
        '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"sha256:',
      ),
    ).toBe(true);
    expect(parseManifest(updated.bytes, updated.mediaType)).toMatchObject({ kind: 'docker-v2s2' });
  });

  it('takes urls and annotations from the infos, keeping the media type when none is given', () => {
    const parsed = oci();
    const infos = layerInfos(parsed).map((info) => {
      const { mediaType: _dropped, annotations: _a, ...rest } = info;
      return rest;
    });
    const updated = withLayerInfos(parsed, infos);
    expect(updated.manifest.layers.map((layer) => layer.mediaType)).toEqual(
      parsed.manifest.layers.map((layer) => layer.mediaType),
    );
    expect(updated.manifest.layers[1]?.annotations).toBeUndefined();
  });

  it('replaces the config descriptor', () => {
    const parsed = oci();
    const config = { digest: digestOf('{"architecture":"amd64"}'), size: 24 };
    const updated = withConfigInfo(parsed, config);
    expect(updated.manifest.config).toEqual({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      ...config,
    });
  });

  it('refuses a wrong layer count, unknown sizes, bad digests and OCI types in Docker manifests', () => {
    const parsed = docker();
    const infos = layerInfos(parsed);
    const first = infos[0] as (typeof infos)[0];
    expect(() => withLayerInfos(parsed, [first])).toThrow(/has 2 layers but 1 were given/);
    expect(() => withLayerInfos(parsed, [{ ...first, size: -1 }, first])).toThrow(
      /size -1 cannot be written/,
    );
    expect(() => withLayerInfos(parsed, [{ ...first, digest: 'sha256:1' as never }, first])).toThrow(
      /layers\[0\]\.digest: invalid digest/,
    );
    const error = (() => {
      try {
        withLayerInfos(parsed, [{ ...first, mediaType: MEDIA_TYPE_OCI_LAYER_ZSTD }, first]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isSkopeoError(error, 'UNSUPPORTED')).toBe(true);
  });

  it('refuses to change schema 1 (it would need re-signing)', () => {
    const parsed = parseManifest(enc(JSON.stringify(schema1Object())));
    if (parsed.kind !== 'docker-v2s1') throw new Error('unreachable');
    expect(() => withLayerInfos(parsed, layerInfos(parsed))).toThrow(/schema 1 manifest is not supported/);
    expect(editManifest(parsed).build()).toBe(parsed);
  });
});

describe('editing lists', () => {
  it('updates instance digests in order, keeping platforms', () => {
    const parsed = index();
    const updates = listInstances(parsed).map((instance, i) => ({
      digest: i === 0 ? fakeDigest('amd64 converted') : instance.digest,
      size: i === 0 ? 1234 : instance.size,
      mediaType: instance.mediaType,
    }));
    const updated = withListInstances(parsed, updates);
    expect(listInstances(updated)[0]).toMatchObject({
      digest: fakeDigest('amd64 converted'),
      size: 1234,
      platform: { architecture: 'amd64', os: 'linux' },
    });
    expect(
      dec(updated.bytes).startsWith(
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType"',
      ),
    ).toBe(true);
    // Unchanged updates keep the original.
    expect(withListInstances(parsed, listInstances(parsed))).toBe(parsed);
  });

  it('refuses a wrong number of updates', () => {
    expect(() => withListInstances(index(), [])).toThrow(/has 3 instances but 0 updates/);
  });

  it('keeps a subset of the instances', () => {
    const parsed = index();
    const subset = filterListInstances(parsed, (instance) => instance.platform?.os === 'linux');
    expect(listInstances(subset).map((instance) => instance.digest)).toEqual([AMD64, ARM64]);
    expect(filterListInstances(parsed, () => true)).toBe(parsed);
  });

  it('filters a Docker list with the builder', () => {
    const parsed = parseManifest(enc(DOCKER_LIST));
    const built = editManifest(parsed)
      .filterInstances((instance) => instance.platform?.architecture === 'amd64')
      .build();
    expect(built.kind).toBe('docker-list');
    if (built.kind !== 'docker-list') throw new Error('unreachable');
    expect(listInstances(built).map((instance) => instance.platform?.os)).toEqual(['linux', 'windows']);
    expect(dec(built.bytes)).toContain(
      '"platform":{"architecture":"amd64","os":"windows","os.version":"10.0.17763.5820"}',
    );
  });

  it('does not edit layers of a list, nor instances of an image', () => {
    expect(() => editManifest(index()).layers([])).toThrow(/no layers/);
    expect(() => editManifest(oci()).instances([])).toThrow(/only a manifest list/);
    expect(oci().mediaType).toBe(MEDIA_TYPE_OCI_MANIFEST);
  });
});
