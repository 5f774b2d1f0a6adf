import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSkopeoError } from '../errors.js';
import {
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.js';
import {
  configInfo,
  isParsedManifestList,
  layerInfos,
  listInstances,
  MAX_MANIFEST_BYTES,
  type ParsedManifest,
  parseManifest,
  parseManifestBlob,
  toManifestBlob,
} from './parse.js';
import {
  AMD64,
  ARM64,
  ATTEST,
  CONFIG_DIGEST,
  DOCKER_LIST,
  DOCKER_V2S2,
  enc,
  fakeDigest,
  LAYER1,
  LAYER2,
  OCI_INDEX,
  OCI_MANIFEST,
  schema1Object,
  signSchema1,
} from './test-fixtures.js';

function errorOf(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error');
}

function expectInvalid(text: string, mediaType: string | undefined, message: RegExp): void {
  const error = errorOf(() => parseManifest(enc(text), mediaType));
  expect(isSkopeoError(error, 'INVALID_MANIFEST'), error.message).toBe(true);
  expect(error.message).toMatch(message);
}

const ociObject = (): Record<string, unknown> => JSON.parse(OCI_MANIFEST) as Record<string, unknown>;

describe('parseManifest', () => {
  it('parses an OCI image manifest and keeps the original bytes', () => {
    const bytes = enc(OCI_MANIFEST);
    const parsed = parseManifest(bytes, MEDIA_TYPE_OCI_MANIFEST);
    expect(parsed.kind).toBe('oci-manifest');
    expect(parsed.mediaType).toBe(MEDIA_TYPE_OCI_MANIFEST);
    expect(parsed.bytes).toBe(bytes);
    if (parsed.kind !== 'oci-manifest') throw new Error('unreachable');
    expect(parsed.manifest.annotations?.['org.opencontainers.image.source']).toBe(
      'https://github.com/example/app',
    );
    expect(configInfo(parsed)).toEqual({
      digest: CONFIG_DIGEST,
      size: 1471,
      mediaType: 'application/vnd.oci.image.config.v1+json',
    });
    expect(layerInfos(parsed)).toEqual([
      {
        digest: LAYER1,
        size: 3623807,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        emptyLayer: false,
      },
      {
        digest: LAYER2,
        size: 32,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        annotations: { 'org.opencontainers.image.title': 'empty.tar.gz' },
        emptyLayer: false,
      },
    ]);
    expect(toManifestBlob(parsed)).toEqual({ bytes, mediaType: MEDIA_TYPE_OCI_MANIFEST });
  });

  it('parses a Docker schema 2 manifest with a foreign layer', () => {
    const parsed = parseManifest(enc(DOCKER_V2S2));
    expect(parsed.kind).toBe('docker-v2s2');
    if (parsed.kind !== 'docker-v2s2') throw new Error('unreachable');
    expect(configInfo(parsed)?.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    const layers = layerInfos(parsed);
    expect(layers.map((layer) => layer.digest)).toEqual([LAYER1, LAYER2]);
    expect(layers[1]?.urls).toEqual([`https://mcr.microsoft.com/v2/windows/servercore/blobs/${LAYER2}`]);
  });

  it('parses an OCI index and lists its instances with platforms', () => {
    const parsed = parseManifest(enc(OCI_INDEX), MEDIA_TYPE_OCI_INDEX);
    expect(isParsedManifestList(parsed)).toBe(true);
    if (parsed.kind !== 'oci-index') throw new Error('unreachable');
    const instances = listInstances(parsed);
    expect(instances.map((i) => i.digest)).toEqual([AMD64, ARM64, ATTEST]);
    expect(instances[1]?.platform).toEqual({ architecture: 'arm64', os: 'linux', variant: 'v8' });
    expect(instances[2]?.annotations?.['vnd.docker.reference.type']).toBe('attestation-manifest');
  });

  it('parses a Docker manifest list, keeping features and os.version', () => {
    const parsed = parseManifest(enc(DOCKER_LIST), MEDIA_TYPE_DOCKER_V2_LIST);
    if (parsed.kind !== 'docker-list') throw new Error('unreachable');
    const instances = listInstances(parsed);
    expect(instances).toHaveLength(5);
    expect(instances[3]?.platform).toEqual({
      architecture: 'arm64',
      os: 'linux',
      variant: 'v8',
      features: ['sse4'],
    });
    expect(instances[4]?.platform?.['os.version']).toBe('10.0.17763.5820');
  });

  it('parses schema 1 with layers oldest first, sizes unknown, throwaway layers marked', () => {
    const parsed = parseManifest(enc(JSON.stringify(schema1Object(), null, 3)));
    expect(parsed.kind).toBe('docker-v2s1');
    expect(parsed.mediaType).toBe(MEDIA_TYPE_DOCKER_V2S1_MANIFEST);
    if (parsed.kind !== 'docker-v2s1') throw new Error('unreachable');
    expect(configInfo(parsed)).toBeUndefined();
    expect(layerInfos(parsed)).toEqual([
      { digest: LAYER1, size: -1, emptyLayer: false },
      { digest: fakeDigest('empty-layer'), size: -1, emptyLayer: true },
    ]);
  });

  it('folds repeated schema 1 history entries as containers/image does', () => {
    const object = schema1Object() as { fsLayers: unknown[]; history: unknown[] };
    object.fsLayers.unshift({ blobSum: fakeDigest('dup') });
    object.history.unshift(object.history[0]);
    const parsed = parseManifest(enc(JSON.stringify(object)));
    if (parsed.kind !== 'docker-v2s1') throw new Error('unreachable');
    expect(layerInfos(parsed)).toHaveLength(2);
  });

  it('parses a signed schema 1 manifest', () => {
    const { signed } = signSchema1(JSON.stringify(schema1Object(), null, 3));
    const parsed = parseManifest(signed);
    if (parsed.kind !== 'docker-v2s1') throw new Error('unreachable');
    expect(parsed.manifest.signatures).toHaveLength(1);
  });

  it('guesses the type for unknown declared types and ignores Content-Type parameters', () => {
    expect(parseManifest(enc(OCI_MANIFEST), 'text/plain').kind).toBe('oci-manifest');
    expect(parseManifest(enc(DOCKER_V2S2), 'application/octet-stream').kind).toBe('docker-v2s2');
    expect(parseManifest(enc(DOCKER_V2S2), `${MEDIA_TYPE_DOCKER_V2S2_MANIFEST}; charset=utf-8`).kind).toBe(
      'docker-v2s2',
    );
    expect(parseManifestBlob({ bytes: enc(OCI_INDEX), mediaType: '' }).kind).toBe('oci-index');
  });

  it('accepts OCI manifests without mediaType (image-spec < 1.0.2) and `"layers": null`', () => {
    const object = ociObject();
    delete object.mediaType;
    object.layers = null;
    const parsed = parseManifest(enc(JSON.stringify(object)));
    if (parsed.kind !== 'oci-manifest') throw new Error('unreachable');
    expect(parsed.manifest.mediaType).toBeUndefined();
    expect(parsed.manifest.layers).toEqual([]);
  });

  it('keeps unknown fields in `json`', () => {
    const parsed = parseManifest(enc(JSON.stringify({ ...ociObject(), 'x-extension': { a: 1 } })));
    expect(parsed.json['x-extension']).toEqual({ a: 1 });
  });

  it('is not confused by a "__proto__" annotation', () => {
    const text = OCI_MANIFEST.replace(
      '"annotations":{"org.opencontainers.image.created"',
      '"annotations":{"__proto__":"x","org.opencontainers.image.created"',
    );
    const parsed = parseManifest(enc(text));
    if (parsed.kind !== 'oci-manifest') throw new Error('unreachable');
    expect(Object.hasOwn(parsed.manifest.annotations ?? {}, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed.manifest.annotations)).toBe(Object.prototype);
  });

  describe('refuses', () => {
    it.each([
      ['bad JSON', '{"schemaVersion":2,', MEDIA_TYPE_OCI_MANIFEST, /not valid JSON/],
      ['a JSON array', '[]', MEDIA_TYPE_OCI_MANIFEST, /JSON an array, not an object/],
      [
        'an unknown type and content',
        '{"hello":"world"}',
        'text/plain',
        /"text\/plain" is not a manifest media type/,
      ],
      ['content of no known type', '{"schemaVersion":3}', undefined, /cannot tell the manifest type/],
    ])('%s', (_name, text, mediaType, message) => expectInvalid(text, mediaType, message));

    const oci = (change: (object: Record<string, unknown>) => void): string => {
      const object = ociObject();
      change(object);
      return JSON.stringify(object);
    };
    const layer = (object: Record<string, unknown>) =>
      (object.layers as Record<string, unknown>[])[0] as Record<string, unknown>;

    it.each([
      ['a missing config', oci((o) => delete o.config), /config is missing/],
      [
        'a config that is not an object',
        oci((o) => {
          o.config = 'x';
        }),
        /config must be an object, found a string/,
      ],
      ['missing layers', oci((o) => delete o.layers), /layers is missing/],
      [
        'a bad layer digest',
        oci((o) => {
          layer(o).digest = 'sha256:1234';
        }),
        /layers\[0\]\.digest: invalid digest "sha256:1234"/,
      ],
      [
        'an uppercase digest',
        oci((o) => {
          layer(o).digest = LAYER1.toUpperCase();
        }),
        /layers\[0\]\.digest/,
      ],
      [
        'an unknown digest algorithm',
        oci((o) => {
          layer(o).digest = `md5:${'0'.repeat(32)}`;
        }),
        /unsupported algorithm "md5"/,
      ],
      [
        'a negative size',
        oci((o) => {
          layer(o).size = -1;
        }),
        /layers\[0\]\.size must be a non-negative integer, found -1/,
      ],
      [
        'a fractional size',
        oci((o) => {
          layer(o).size = 1.5;
        }),
        /non-negative integer, found 1.5/,
      ],
      [
        'a size as a string',
        oci((o) => {
          layer(o).size = '10';
        }),
        /found a string/,
      ],
      [
        'a missing layer mediaType',
        oci((o) => delete layer(o).mediaType),
        /layers\[0\]\.mediaType is missing/,
      ],
      [
        'annotations that are not strings',
        oci((o) => {
          o.annotations = { a: 1 };
        }),
        /annotations\["a"\] must be a string/,
      ],
      [
        'urls that are not strings',
        oci((o) => {
          layer(o).urls = [1];
        }),
        /layers\[0\]\.urls\[0\] must be a string/,
      ],
      [
        'bad embedded data',
        oci((o) => {
          layer(o).data = 'not base64!';
        }),
        /data must be standard base64/,
      ],
      [
        'schemaVersion 1',
        oci((o) => {
          o.schemaVersion = 1;
        }),
        /schemaVersion is 1, expected 2/,
      ],
      ['a missing schemaVersion', oci((o) => delete o.schemaVersion), /schemaVersion is missing/],
      [
        'a contradicting mediaType',
        oci((o) => {
          o.mediaType = MEDIA_TYPE_DOCKER_V2S2_MANIFEST;
        }),
        /mediaType is "application\/vnd\.docker\.distribution\.manifest\.v2\+json", but it was expected to be "application\/vnd\.oci\.image\.manifest\.v1\+json"/,
      ],
      [
        'fields of an index',
        oci((o) => {
          o.manifests = [];
        }),
        /ambiguous manifest: unexpected field "manifests"/,
      ],
      [
        'fields of an index, spelled with capitals',
        oci((o) => {
          o.Manifests = [];
        }),
        /unexpected field "Manifests"/,
      ],
    ])('an OCI manifest with %s', (_name, text, message) =>
      expectInvalid(text, MEDIA_TYPE_OCI_MANIFEST, message),
    );

    it('a manifest declared as OCI that says it is Docker schema 2', () => {
      expectInvalid(
        DOCKER_V2S2,
        MEDIA_TYPE_OCI_MANIFEST,
        /expected to be "application\/vnd\.oci\.image\.manifest\.v1\+json"/,
      );
    });

    it('a manifest declared as a list that is an image', () => {
      expectInvalid(
        OCI_MANIFEST,
        MEDIA_TYPE_OCI_INDEX,
        /mediaType is "application\/vnd\.oci\.image\.manifest\.v1\+json"/,
      );
      const noMediaType = ociObject();
      delete noMediaType.mediaType;
      expectInvalid(
        JSON.stringify(noMediaType),
        MEDIA_TYPE_OCI_INDEX,
        /unexpected fields "config", "layers"/,
      );
    });

    it('a Docker schema 2 manifest without mediaType, or with an OCI layer', () => {
      const object = JSON.parse(DOCKER_V2S2) as Record<string, unknown>;
      delete object.mediaType;
      expectInvalid(JSON.stringify(object), MEDIA_TYPE_DOCKER_V2S2_MANIFEST, /mediaType is missing/);
      expectInvalid(
        DOCKER_V2S2.replace(
          'application/vnd.docker.image.rootfs.diff.tar.gzip',
          'application/vnd.oci.image.layer.v1.tar+zstd',
        ),
        undefined,
        /layers\[0\]\.mediaType "application\/vnd\.oci\.image\.layer\.v1\.tar\+zstd" is not a Docker schema 2 layer type/,
      );
    });

    it('a Docker list entry with a bad platform', () => {
      expectInvalid(
        DOCKER_LIST.replace(
          '"platform": { "architecture": "amd64", "os": "linux" }',
          '"platform": { "os": "linux" }',
        ),
        undefined,
        /manifests\[0\]\.platform\.architecture is missing/,
      );
    });

    it('an index entry with a bad digest', () => {
      expectInvalid(
        OCI_INDEX.replace(AMD64, 'sha256:zz'),
        undefined,
        /manifests\[0\]\.digest: invalid digest/,
      );
    });

    it.each([
      [
        'unequal fsLayers and history',
        (o: Record<string, unknown[]>) => o.fsLayers?.pop(),
        /2 history entries/,
      ],
      [
        'no layers',
        (o: Record<string, unknown[]>) => {
          o.fsLayers = [];
          o.history = [];
        },
        /no fsLayers/,
      ],
      [
        'a bad v1 ID',
        (o: Record<string, unknown[]>) => {
          o.history = [{ v1Compatibility: '{"id":"xyz"}' }, o.history?.[1]];
        },
        /image ID "xyz" is invalid/,
      ],
      [
        'a base layer with a parent',
        (o: Record<string, unknown[]>) => {
          o.history = [o.history?.[0], o.history?.[0]];
        },
        /parent ID in the base layer/,
      ],
      [
        'a broken parent chain',
        (o: Record<string, unknown[]>) => {
          o.history = [
            { v1Compatibility: JSON.stringify({ id: 'a'.repeat(64), parent: 'b'.repeat(64) }) },
            o.history?.[1],
          ];
        },
        /invalid parent ID: expected/,
      ],
      [
        'history that is not JSON',
        (o: Record<string, unknown[]>) => {
          o.history = [{ v1Compatibility: '{' }, o.history?.[1]];
        },
        /history\[0\]\.v1Compatibility is not valid JSON/,
      ],
      [
        'a bad blobSum',
        (o: Record<string, unknown[]>) => {
          o.fsLayers = [{ blobSum: 'sha256:0' }, o.fsLayers?.[1]];
        },
        /fsLayers\[0\]\.blobSum: invalid digest/,
      ],
      [
        'a config field',
        (o: Record<string, unknown>) => {
          o.config = {};
        },
        /unexpected field "config"/,
      ],
    ])('a schema 1 manifest with %s', (_name, change, message) => {
      const object = schema1Object();
      (change as (o: Record<string, unknown>) => void)(object);
      expectInvalid(JSON.stringify(object), undefined, message);
    });

    it('a schema 1 declared manifest with schemaVersion 2', () => {
      expectInvalid(OCI_MANIFEST, MEDIA_TYPE_DOCKER_V2S1_MANIFEST, /schemaVersion is 2, expected 1/);
    });
  });

  describe('size limit', () => {
    const padded = (size: number): Uint8Array => {
      const bytes = new Uint8Array(size).fill(0x20);
      bytes.set(enc(OCI_MANIFEST));
      return bytes;
    };

    it('accepts exactly 4 MiB', () => {
      expect(MAX_MANIFEST_BYTES).toBe(4 * 1024 * 1024);
      expect(parseManifest(padded(MAX_MANIFEST_BYTES)).kind).toBe('oci-manifest');
    });

    it('refuses more than 4 MiB with ManifestTooLargeError', () => {
      const error = errorOf(() => parseManifest(padded(MAX_MANIFEST_BYTES + 1)));
      expect(isSkopeoError(error, 'MANIFEST_TOO_LARGE')).toBe(true);
      expect(error.message).toBe('manifest is 4194305 bytes, over the limit of 4194304 bytes');
    });
  });

  describe('properties', () => {
    it('never throws anything but a SkopeoError on arbitrary JSON', () => {
      fc.assert(
        fc.property(
          fc.jsonValue(),
          fc.constantFrom(
            undefined,
            MEDIA_TYPE_OCI_MANIFEST,
            MEDIA_TYPE_OCI_INDEX,
            MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
            MEDIA_TYPE_DOCKER_V2_LIST,
            MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
          ),
          (value, mediaType) => {
            try {
              parseManifest(enc(JSON.stringify(value)), mediaType);
            } catch (error) {
              if (!isSkopeoError(error)) throw error;
            }
          },
        ),
      );
    });

    it('never throws anything but a SkopeoError on mutated manifests', () => {
      const keys = [
        'schemaVersion',
        'mediaType',
        'config',
        'layers',
        'manifests',
        'digest',
        'size',
        'platform',
        'annotations',
        'urls',
      ];
      const mutated = fc.record(Object.fromEntries(keys.map((key) => [key, fc.jsonValue()])), {
        requiredKeys: [],
      });
      fc.assert(
        fc.property(
          mutated,
          fc.constantFrom(OCI_MANIFEST, OCI_INDEX, DOCKER_V2S2, DOCKER_LIST),
          (changes, base) => {
            const object = { ...(JSON.parse(base) as Record<string, unknown>), ...changes };
            let parsed: ParsedManifest | undefined;
            try {
              parsed = parseManifest(enc(JSON.stringify(object)));
            } catch (error) {
              if (!isSkopeoError(error)) throw error;
            }
            if (parsed !== undefined && !isParsedManifestList(parsed)) layerInfos(parsed);
          },
        ),
      );
    });
  });
});
