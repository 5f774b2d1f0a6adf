import { describe, expect, it } from 'vitest';
import { isSkopeoError } from '../errors.js';
import { editManifest } from './builder.js';
import { convertManifest } from './convert.js';
import {
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_CONFIG,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_GZIP,
  MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_LAYER_ZSTD,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.js';
import { configInfo, layerInfos, listInstances, type ParsedManifest, parseManifest } from './parse.js';
import {
  CONFIG_DIGEST,
  DOCKER_LIST,
  DOCKER_V2S2,
  dec,
  enc,
  fakeDigest,
  LAYER1,
  LAYER2,
  OCI_INDEX,
  OCI_MANIFEST,
  schema1Object,
} from './test-fixtures.js';

function errorOf(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error');
}

function ociWith(
  change: (object: { config: Record<string, unknown>; layers: Record<string, unknown>[] }) => void,
): ParsedManifest {
  const object = JSON.parse(OCI_MANIFEST) as {
    config: Record<string, unknown>;
    layers: Record<string, unknown>[];
  };
  change(object);
  return parseManifest(enc(JSON.stringify(object)));
}

describe('convertManifest', () => {
  it('returns the manifest itself for its own type', () => {
    const parsed = parseManifest(enc(DOCKER_V2S2));
    expect(convertManifest(parsed, MEDIA_TYPE_DOCKER_V2S2_MANIFEST)).toBe(parsed);
  });

  it('converts Docker schema 2 → OCI, mapping layer and config types', () => {
    const converted = convertManifest(parseManifest(enc(DOCKER_V2S2)), MEDIA_TYPE_OCI_MANIFEST);
    expect(converted.kind).toBe('oci-manifest');
    expect(dec(converted.bytes)).toBe(
      `{"schemaVersion":2,"mediaType":"${MEDIA_TYPE_OCI_MANIFEST}","config":{"mediaType":"${MEDIA_TYPE_OCI_CONFIG}","digest":"${CONFIG_DIGEST}","size":1469},"layers":[{"mediaType":"${MEDIA_TYPE_OCI_LAYER_GZIP}","digest":"${LAYER1}","size":3623807},{"mediaType":"${MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP}","digest":"${LAYER2}","size":1520,"urls":["https://mcr.microsoft.com/v2/windows/servercore/blobs/${LAYER2}"]}]}`,
    );
    // What we write, we read.
    expect(parseManifest(converted.bytes, converted.mediaType).kind).toBe('oci-manifest');
  });

  it('uses a converted config descriptor when given one', () => {
    const config = { digest: fakeDigest('oci config'), size: 1200 };
    const converted = convertManifest(parseManifest(enc(DOCKER_V2S2)), MEDIA_TYPE_OCI_MANIFEST, { config });
    if (converted.kind !== 'oci-manifest') throw new Error('unreachable');
    expect(configInfo(converted)).toEqual({ ...config, mediaType: MEDIA_TYPE_OCI_CONFIG });
  });

  it('converts OCI → Docker schema 2, dropping annotations', () => {
    const converted = convertManifest(parseManifest(enc(OCI_MANIFEST)), MEDIA_TYPE_DOCKER_V2S2_MANIFEST);
    expect(converted.kind).toBe('docker-v2s2');
    if (converted.kind !== 'docker-v2s2') throw new Error('unreachable');
    expect(configInfo(converted)?.mediaType).toBe(MEDIA_TYPE_DOCKER_V2S2_CONFIG);
    expect(layerInfos(converted).map((layer) => layer.mediaType)).toEqual([
      MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
      MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
    ]);
    expect(dec(converted.bytes)).not.toContain('annotations');
  });

  it('round-trips Docker → OCI → Docker to the same content', () => {
    const original = parseManifest(enc(DOCKER_V2S2));
    const back = convertManifest(
      convertManifest(original, MEDIA_TYPE_OCI_MANIFEST),
      MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
    );
    if (back.kind !== 'docker-v2s2' || original.kind !== 'docker-v2s2') throw new Error('unreachable');
    expect(back.manifest).toEqual(original.manifest);
    expect(back.json).toEqual(original.json);
    expect(layerInfos(back)[1]?.mediaType).toBe(MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP);
  });

  it('round-trips OCI → Docker → OCI (annotations are lost, as in skopeo)', () => {
    const original = parseManifest(enc(OCI_MANIFEST));
    const back = convertManifest(
      convertManifest(original, MEDIA_TYPE_DOCKER_V2S2_MANIFEST),
      MEDIA_TYPE_OCI_MANIFEST,
    );
    if (back.kind !== 'oci-manifest' || original.kind !== 'oci-manifest') throw new Error('unreachable');
    expect(back.manifest.layers.map((layer) => [layer.digest, layer.size, layer.mediaType])).toEqual(
      original.manifest.layers.map((layer) => [layer.digest, layer.size, layer.mediaType]),
    );
    expect(back.manifest.config).toEqual(original.manifest.config);
    expect(back.manifest.annotations).toBeUndefined();
  });

  it.each([
    [
      'an artifact',
      (o: { config: Record<string, unknown> }) => {
        o.config.mediaType = 'application/vnd.cncf.helm.config.v1+json';
      },
      /OCI artifact of type "application\/vnd\.cncf\.helm\.config\.v1\+json"/,
    ],
    [
      'a Docker config inside OCI',
      (o: { config: Record<string, unknown> }) => {
        o.config.mediaType = MEDIA_TYPE_DOCKER_V2S2_CONFIG;
      },
      /mixed OCI image with a Docker v2s2 config/,
    ],
    [
      'zstd layers',
      (o: { layers: Record<string, unknown>[] }) => {
        (o.layers[0] as Record<string, unknown>).mediaType = MEDIA_TYPE_OCI_LAYER_ZSTD;
      },
      /zstd-compressed/,
    ],
    [
      'encrypted layers',
      (o: { layers: Record<string, unknown>[] }) => {
        (o.layers[0] as Record<string, unknown>).mediaType = `${MEDIA_TYPE_OCI_LAYER_GZIP}+encrypted`;
      },
      /is encrypted/,
    ],
    [
      'unknown layer types',
      (o: { layers: Record<string, unknown>[] }) => {
        (o.layers[0] as Record<string, unknown>).mediaType = 'application/vnd.example.blob';
      },
      /unknown media type "application\/vnd\.example\.blob"/,
    ],
  ])('refuses to convert %s to Docker', (_name, change, message) => {
    const parsed = ociWith(change as never);
    const error = errorOf(() => convertManifest(parsed, MEDIA_TYPE_DOCKER_V2S2_MANIFEST));
    expect(isSkopeoError(error, 'UNSUPPORTED')).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('converts zstd layers once they are recompressed with gzip (the builder composes)', () => {
    const parsed = ociWith((o) => {
      (o.layers[0] as Record<string, unknown>).mediaType = MEDIA_TYPE_OCI_LAYER_ZSTD;
    });
    if (parsed.kind !== 'oci-manifest') throw new Error('unreachable');
    const infos = layerInfos(parsed);
    const built = editManifest(parsed)
      .layers(
        infos.map((info, i) =>
          i === 0 ? { ...info, digest: fakeDigest('gzip'), mediaType: MEDIA_TYPE_OCI_LAYER_GZIP } : info,
        ),
      )
      .convertTo(MEDIA_TYPE_DOCKER_V2S2_MANIFEST)
      .build();
    expect(built.kind).toBe('docker-v2s2');
    if (built.kind !== 'docker-v2s2') throw new Error('unreachable');
    expect(layerInfos(built)[0]).toMatchObject({
      digest: fakeDigest('gzip'),
      mediaType: MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
    });
  });

  it('converts uncompressed OCI layers to Docker tar layers and back', () => {
    const parsed = ociWith((o) => {
      (o.layers[0] as Record<string, unknown>).mediaType = MEDIA_TYPE_OCI_LAYER_TAR;
    });
    const back = convertManifest(
      convertManifest(parsed, MEDIA_TYPE_DOCKER_V2S2_MANIFEST),
      MEDIA_TYPE_OCI_MANIFEST,
    );
    if (back.kind !== 'oci-manifest') throw new Error('unreachable');
    expect(back.manifest.layers[0]?.mediaType).toBe(MEDIA_TYPE_OCI_LAYER_TAR);
  });

  it('converts an OCI index to a Docker list and back', () => {
    const index = parseManifest(enc(OCI_INDEX));
    const list = convertManifest(index, MEDIA_TYPE_DOCKER_V2_LIST);
    expect(list.kind).toBe('docker-list');
    if (list.kind !== 'docker-list' || index.kind !== 'oci-index') throw new Error('unreachable');
    expect(listInstances(list).map((i) => [i.digest, i.platform])).toEqual(
      listInstances(index).map((i) => [i.digest, i.platform]),
    );
    expect(dec(list.bytes)).not.toContain('annotations');
    expect(dec(list.bytes)).toContain('"platform":{"architecture":"arm64","os":"linux","variant":"v8"}');
    const back = convertManifest(list, MEDIA_TYPE_OCI_INDEX);
    if (back.kind !== 'oci-index') throw new Error('unreachable');
    expect(back.manifest.manifests.map((m) => [m.digest, m.size, m.mediaType, m.platform])).toEqual(
      index.manifest.manifests.map((m) => [m.digest, m.size, m.mediaType, m.platform]),
    );
  });

  it('gives OCI index entries without a platform the default platform in a Docker list', () => {
    const text = OCI_INDEX.replace(',\n      "platform": { "architecture": "unknown", "os": "unknown" }', '');
    const index = parseManifest(enc(text));
    const list = convertManifest(index, MEDIA_TYPE_DOCKER_V2_LIST, {
      defaultPlatform: { os: 'linux', architecture: 's390x' },
    });
    if (list.kind !== 'docker-list') throw new Error('unreachable');
    expect(list.manifest.manifests[2]?.platform).toEqual({ os: 'linux', architecture: 's390x' });
  });

  it('converts a Docker list to an OCI index, dropping platform features', () => {
    const index = convertManifest(parseManifest(enc(DOCKER_LIST)), MEDIA_TYPE_OCI_INDEX);
    if (index.kind !== 'oci-index') throw new Error('unreachable');
    expect(index.manifest.manifests[3]?.platform).toEqual({
      architecture: 'arm64',
      os: 'linux',
      variant: 'v8',
    });
    expect(
      dec(index.bytes).startsWith(`{"schemaVersion":2,"mediaType":"${MEDIA_TYPE_OCI_INDEX}","manifests":[`),
    ).toBe(true);
  });

  it.each([
    [
      'a list to an image type',
      DOCKER_LIST,
      MEDIA_TYPE_OCI_MANIFEST,
      /manifest list to .* which is not a list type/,
    ],
    [
      'an image to a list type',
      OCI_MANIFEST,
      MEDIA_TYPE_OCI_INDEX,
      /single image's manifest to .* which is a list type/,
    ],
    ['anything to schema 1', OCI_MANIFEST, MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST, /to Docker schema 1/],
    [
      'schema 1 to anything',
      JSON.stringify(schema1Object()),
      MEDIA_TYPE_OCI_MANIFEST,
      /Docker schema 1 manifest/,
    ],
    ['to a type that is not a manifest', OCI_MANIFEST, 'application/json', /not a manifest media type/],
  ])('refuses to convert %s', (_name, text, target, message) => {
    const error = errorOf(() => convertManifest(parseManifest(enc(text)), target));
    expect(isSkopeoError(error, 'UNSUPPORTED')).toBe(true);
    expect(error.message).toMatch(message);
  });
});
