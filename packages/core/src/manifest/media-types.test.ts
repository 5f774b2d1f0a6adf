import { describe, expect, it } from 'vitest';
import { isSkopeoError } from '../errors.js';
import {
  isEncryptedLayerMediaType,
  isManifestList,
  isManifestMediaType,
  isNondistributableLayerMediaType,
  isZstdLayerMediaType,
  layerMediaTypeCompression,
  layerMediaTypeWithCompression,
  MANIFEST_MEDIA_TYPES,
  MEDIA_TYPE_DOCKER_V2_LIST,
  MEDIA_TYPE_DOCKER_V2S1_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_GZIP,
  MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP,
  MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR,
  MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_ZSTD,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_LAYER_ZSTD,
  MEDIA_TYPE_OCI_MANIFEST,
  normalizeManifestMediaType,
  simplifyMediaType,
} from './media-types.js';

describe('media types', () => {
  it('lists the six manifest types in containers/image’s Accept order', () => {
    expect(MANIFEST_MEDIA_TYPES).toEqual([
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      'application/vnd.docker.distribution.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.index.v1+json',
    ]);
  });

  it('tells lists from images', () => {
    expect(isManifestList(MEDIA_TYPE_OCI_INDEX)).toBe(true);
    expect(isManifestList(MEDIA_TYPE_DOCKER_V2_LIST)).toBe(true);
    expect(isManifestList(MEDIA_TYPE_OCI_MANIFEST)).toBe(false);
    expect(isManifestList(MEDIA_TYPE_DOCKER_V2S2_MANIFEST)).toBe(false);
    expect(isManifestMediaType(MEDIA_TYPE_DOCKER_V2S1_MANIFEST)).toBe(true);
    expect(isManifestMediaType('application/json')).toBe(false);
  });

  it('normalizes declared types as containers/image does', () => {
    expect(normalizeManifestMediaType(MEDIA_TYPE_OCI_INDEX)).toBe(MEDIA_TYPE_OCI_INDEX);
    expect(normalizeManifestMediaType(`${MEDIA_TYPE_DOCKER_V2S2_MANIFEST}; charset=utf-8`)).toBe(
      MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
    );
    expect(normalizeManifestMediaType('application/json')).toBe(MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST);
    expect(normalizeManifestMediaType('text/plain')).toBe(MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST);
    expect(simplifyMediaType(' Application/VND.OCI.image.index.v1+json ;x=y')).toBe(MEDIA_TYPE_OCI_INDEX);
  });

  it('reads layer compression from media types', () => {
    expect(layerMediaTypeCompression(MEDIA_TYPE_OCI_LAYER_TAR)).toBe('none');
    expect(layerMediaTypeCompression(MEDIA_TYPE_OCI_LAYER_GZIP)).toBe('gzip');
    expect(layerMediaTypeCompression(MEDIA_TYPE_OCI_LAYER_ZSTD)).toBe('zstd');
    expect(layerMediaTypeCompression(MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_ZSTD)).toBe('zstd');
    expect(layerMediaTypeCompression(MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP)).toBe('gzip');
    expect(layerMediaTypeCompression(MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR)).toBe('none');
    expect(layerMediaTypeCompression('application/vnd.cncf.helm.chart.content.v1.tar+gzip')).toBeUndefined();
  });

  it('changes a layer media type’s compression within its kind', () => {
    expect(layerMediaTypeWithCompression(MEDIA_TYPE_OCI_LAYER_GZIP, 'zstd')).toBe(MEDIA_TYPE_OCI_LAYER_ZSTD);
    expect(layerMediaTypeWithCompression(MEDIA_TYPE_OCI_LAYER_ZSTD, 'none')).toBe(MEDIA_TYPE_OCI_LAYER_TAR);
    expect(layerMediaTypeWithCompression(MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR, 'gzip')).toBe(
      MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP,
    );
    expect(layerMediaTypeWithCompression(MEDIA_TYPE_DOCKER_V2S2_LAYER_TAR, 'gzip')).toBe(
      MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP,
    );
    expect(layerMediaTypeWithCompression(MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP, 'none')).toBe(
      MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_TAR,
    );
    expect(layerMediaTypeWithCompression('application/octet-stream', 'gzip')).toBeUndefined();
    let caught: unknown;
    try {
      layerMediaTypeWithCompression(MEDIA_TYPE_DOCKER_V2S2_LAYER_GZIP, 'zstd');
    } catch (error) {
      caught = error;
    }
    expect(isSkopeoError(caught, 'UNSUPPORTED')).toBe(true);
    expect((caught as Error).message).toMatch(/zstd compression is not supported/);
  });

  it('recognises encrypted, zstd and nondistributable layers', () => {
    expect(isEncryptedLayerMediaType(`${MEDIA_TYPE_OCI_LAYER_GZIP}+encrypted`)).toBe(true);
    expect(isEncryptedLayerMediaType(MEDIA_TYPE_OCI_LAYER_GZIP)).toBe(false);
    expect(isZstdLayerMediaType(`${MEDIA_TYPE_OCI_LAYER_ZSTD}+encrypted`)).toBe(true);
    expect(isZstdLayerMediaType(MEDIA_TYPE_OCI_LAYER_GZIP)).toBe(false);
    expect(isNondistributableLayerMediaType(MEDIA_TYPE_DOCKER_V2S2_FOREIGN_LAYER_GZIP)).toBe(true);
    expect(isNondistributableLayerMediaType(MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_TAR)).toBe(true);
    expect(isNondistributableLayerMediaType(MEDIA_TYPE_OCI_LAYER_TAR)).toBe(false);
  });
});
