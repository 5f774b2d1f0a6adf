// Realistic manifests for the manifest tests (test-only; not exported from the package).
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/** A deterministic sha256 digest for a name. */
export function fakeDigest(name: string): `sha256:${string}` {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export const CONFIG_DIGEST = fakeDigest('config');
export const LAYER1 = fakeDigest('layer-1');
export const LAYER2 = fakeDigest('layer-2');
export const AMD64 = fakeDigest('amd64-manifest');
export const ARM64 = fakeDigest('arm64-manifest');
export const ARMV7 = fakeDigest('armv7-manifest');
export const ARMV6 = fakeDigest('armv6-manifest');
export const ATTEST = fakeDigest('attestation-manifest');

/** An OCI image manifest as buildkit writes one: compact, annotations on the manifest. */
export const OCI_MANIFEST = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${CONFIG_DIGEST}","size":1471},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"${LAYER1}","size":3623807},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"${LAYER2}","size":32,"annotations":{"org.opencontainers.image.title":"empty.tar.gz"}}],"annotations":{"org.opencontainers.image.created":"2024-05-01T10:20:30Z","org.opencontainers.image.source":"https://github.com/example/app"}}`;

/** A Docker schema 2 manifest as docker/distribution serves it (3-space indentation). */
export const DOCKER_V2S2 = `{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1469,
      "digest": "${CONFIG_DIGEST}"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 3623807,
         "digest": "${LAYER1}"
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
         "size": 1520,
         "digest": "${LAYER2}",
         "urls": [
            "https://mcr.microsoft.com/v2/windows/servercore/blobs/${LAYER2}"
         ]
      }
   ]
}`;

/** An OCI index as buildx pushes it: two images and an attestation manifest. */
export const OCI_INDEX = `{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "${AMD64}",
      "size": 1612,
      "platform": { "architecture": "amd64", "os": "linux" }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "${ARM64}",
      "size": 1612,
      "platform": { "architecture": "arm64", "os": "linux", "variant": "v8" }
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "${ATTEST}",
      "size": 839,
      "annotations": {
        "vnd.docker.reference.digest": "${AMD64}",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": { "architecture": "unknown", "os": "unknown" }
    }
  ],
  "annotations": { "org.opencontainers.image.ref.name": "1.0" }
}`;

/** A Docker manifest list as Docker Hub serves one for a multi-arch library image. */
export const DOCKER_LIST = `{
   "manifests": [
      {
         "digest": "${AMD64}",
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "platform": { "architecture": "amd64", "os": "linux" },
         "size": 528
      },
      {
         "digest": "${ARMV6}",
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "platform": { "architecture": "arm", "os": "linux", "variant": "v6" },
         "size": 528
      },
      {
         "digest": "${ARMV7}",
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "platform": { "architecture": "arm", "os": "linux", "variant": "v7" },
         "size": 528
      },
      {
         "digest": "${ARM64}",
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "platform": { "architecture": "arm64", "os": "linux", "variant": "v8", "features": ["sse4"] },
         "size": 528
      },
      {
         "digest": "${fakeDigest('windows')}",
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "platform": { "architecture": "amd64", "os": "windows", "os.version": "10.0.17763.5820" },
         "size": 1125
      }
   ],
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "schemaVersion": 2
}`;

const V1_BASE = '3690474eb5b4b26fdfbd89c6e159e8cc376ca76ef48032a30fa6aafd56337880';
const V1_TOP = '7f9b5ea1c0cabd4d61fbf1b8a2c0ab4c44f0c3b3a4f1d0e6c1b0a1d2e3f40516';

/** A schema 1 manifest body (unsigned), three-space indented as Docker wrote them. */
export function schema1Object(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    name: 'library/busybox',
    tag: 'latest',
    architecture: 'amd64',
    fsLayers: [{ blobSum: fakeDigest('empty-layer') }, { blobSum: LAYER1 }],
    history: [
      {
        v1Compatibility: JSON.stringify({
          id: V1_TOP,
          parent: V1_BASE,
          created: '2016-03-03T11:29:44.222098366Z',
          container_config: { Cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh"]'] },
          throwaway: true,
        }),
      },
      {
        v1Compatibility: JSON.stringify({
          id: V1_BASE,
          created: '2016-03-03T11:29:38.563048924Z',
          container_config: { Cmd: ['/bin/sh', '-c', '#(nop) ADD file:47ca6e777c36a4cfff in /'] },
        }),
      },
    ],
  };
}

function base64url(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

export interface SignedSchema1 {
  /** The signed manifest as a registry stores it. */
  signed: Uint8Array;
  /** What the signatures cover, and what the digest is taken of. */
  payload: Uint8Array;
  key: KeyObject;
  protectedHeader: string;
}

/**
 * Signs a schema 1 manifest the way docker/libtrust does (ES256 JWS in "pretty" form): the
 * protected header records formatLength and formatTail, and the signatures are spliced in
 * before the closing brace.
 */
export function signSchema1(body: string, indent = '   '): SignedSchema1 {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payload = enc(body);
  // formatLength: up to the last non-space character before the closing brace.
  const close = body.trimEnd().length - 1;
  const formatLength = body.slice(0, close).trimEnd().length;
  const formatTail = body.slice(formatLength);
  const protectedHeader = base64url(
    JSON.stringify({ formatLength, formatTail: base64url(formatTail), time: '2016-04-18T20:54:42Z' }),
  );
  const signingInput = `${protectedHeader}.${base64url(payload)}`;
  const signature = sign('sha256', enc(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const jwk = publicKey.export({ format: 'jwk' });
  const blocks = [
    {
      header: {
        jwk: {
          crv: jwk.crv,
          kid: 'OZ45:U3IG:TDOI:PMBD:NGP2:LDIW:II2U:PSBI:MMCZ:YZUP:TUUO:XPZT',
          kty: jwk.kty,
          x: jwk.x,
          y: jwk.y,
        },
        alg: 'ES256',
      },
      signature: base64url(signature),
      protected: protectedHeader,
    },
  ];
  // json.MarshalIndent(signatures, indent, indent): every line after the first gets the prefix.
  const marshalled = JSON.stringify(blocks, null, indent).replace(/\n/g, `\n${indent}`);
  const signed = `${body.slice(0, formatLength)},\n${indent}"signatures": ${marshalled}\n}`;
  return { signed: enc(signed), payload, key: publicKey, protectedHeader };
}
