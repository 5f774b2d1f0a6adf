// The images every transport must carry unchanged. Each one exercises something a transport can
// get wrong: whiteouts and links inside layers, uncompressed layers, Docker media types, lists.
import { randomUUID } from 'node:crypto';
import type { Platform } from '@skopeo-ts/core';
import { buildImage, buildIndex } from './build.js';
import { pseudoRandomBytes } from './content.js';
import type { TarEntry } from './tar.js';
import type { ImageFormat, LayerSpec, TestImage, TestLayerCompression, TestSingleImage } from './types.js';

export const TEST_IMAGE_NAMES = [
  'oci-single-layer',
  'oci-multi-layer',
  'oci-uncompressed',
  'docker-schema2',
  'oci-multi-arch',
  'docker-multi-arch',
] as const;

export type TestImageName = (typeof TEST_IMAGE_NAMES)[number];

/** The platforms of the multi-arch images, in list order. */
export const TEST_PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];

/** A long path: ustar's 100-byte name field cannot hold it, so it needs the prefix field or PAX. */
const LONG_PATH = `usr/share/${'very-long-directory-name/'.repeat(5)}file-with-a-long-name.txt`;

const baseEntries: TarEntry[] = [
  { type: 'dir', path: 'bin' },
  { type: 'file', path: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 },
  { type: 'dir', path: 'etc' },
  { type: 'file', path: 'etc/os-release', content: 'ID=conformance\nVERSION_ID=1\n' },
  { type: 'symlink', path: 'etc/localtime', target: '/usr/share/zoneinfo/UTC' },
  { type: 'dir', path: 'usr' },
  { type: 'dir', path: 'usr/lib' },
  { type: 'dir', path: 'usr/lib/deep' },
  { type: 'dir', path: 'usr/lib/deep/nested' },
  { type: 'file', path: 'usr/lib/deep/nested/readme.txt', content: 'nested directories\n' },
  { type: 'file', path: 'usr/lib/deep/nested/data.bin', content: pseudoRandomBytes('base data', 48 * 1024) },
  { type: 'hardlink', path: 'usr/lib/readme-link', target: 'usr/lib/deep/nested/readme.txt' },
  { type: 'symlink', path: 'usr/lib/current', target: 'deep/nested' },
  { type: 'file', path: 'x', content: 'deleted by the next layer\n' },
  { type: 'dir', path: 'opt' },
  { type: 'dir', path: 'opt/app' },
  { type: 'file', path: 'opt/app/old.txt', content: 'hidden by an opaque whiteout\n' },
];

const changeEntries: TarEntry[] = [
  { type: 'whiteout', path: 'x' },
  { type: 'dir', path: 'opt/app' },
  { type: 'opaque', path: 'opt/app' },
  { type: 'file', path: 'opt/app/new.txt', content: 'the only file left in opt/app\n' },
  { type: 'file', path: 'etc/os-release', content: 'ID=conformance\nVERSION_ID=2\n' },
  { type: 'file', path: LONG_PATH, content: 'long path\n' },
];

const topEntries: TarEntry[] = [
  { type: 'file', path: 'etc/hostname', content: 'conformance\n' },
  { type: 'file', path: 'usr/share/naïve-ünïcode.txt', content: 'non-ASCII name\n' },
  { type: 'symlink', path: 'bin/sh', target: 'tool' },
];

function layer(entries: TarEntry[], compression: TestLayerCompression): LayerSpec {
  return { entries, compression };
}

function archEntries(platform: Platform): TarEntry[] {
  const name = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  return [
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/platform', content: `${name}\n` },
    { type: 'file', path: 'etc/platform.bin', content: pseudoRandomBytes(name, 16 * 1024) },
  ];
}

async function buildCatalog(): Promise<readonly TestImage[]> {
  const multiArch = (format: ImageFormat) =>
    buildIndex({
      name: `${format}-multi-arch`,
      format,
      images: TEST_PLATFORMS.map((platform) => ({
        name: `${format}-multi-arch ${platform.architecture}`,
        format,
        platform,
        // The base layer is the same blob in every instance, as in real multi-arch images.
        layers: [layer(baseEntries, 'gzip'), layer(archEntries(platform), 'gzip')],
      })),
    });
  return [
    await buildImage({
      name: 'oci-single-layer',
      format: 'oci',
      layers: [layer(baseEntries, 'gzip')],
    }),
    await buildImage({
      name: 'oci-multi-layer',
      format: 'oci',
      layers: [layer(baseEntries, 'gzip'), layer(changeEntries, 'gzip'), layer(topEntries, 'gzip')],
    }),
    await buildImage({
      name: 'oci-uncompressed',
      format: 'oci',
      layers: [layer(baseEntries, 'none'), layer(changeEntries, 'none')],
    }),
    await buildImage({
      name: 'docker-schema2',
      format: 'docker',
      layers: [layer(baseEntries, 'gzip'), layer(changeEntries, 'none')],
    }),
    await multiArch('oci'),
    await multiArch('docker'),
  ];
}

let catalog: Promise<readonly TestImage[]> | undefined;

/** The generated test images, built once per process (in TEST_IMAGE_NAMES order). */
export function testImages(): Promise<readonly TestImage[]> {
  catalog ??= buildCatalog();
  return catalog;
}

export async function testImage(name: TestImageName): Promise<TestImage> {
  const found = (await testImages()).find((image) => image.name === name);
  if (found === undefined) throw new Error(`no test image named ${name}`);
  return found;
}

/**
 * An image no store has seen before (its layers hold a random nonce), so that no transport can
 * answer a copy from blobs it already has: fault tests need every byte to really flow.
 */
export function uniqueImage(
  format: ImageFormat,
  compressions: readonly TestLayerCompression[] = ['gzip', 'none'],
): Promise<TestSingleImage> {
  const nonce = randomUUID();
  return buildImage({
    name: `unique ${format} ${nonce}`,
    format,
    layers: compressions.map((compression, i) =>
      layer(
        [
          // A regular file first: its content is what corruption tests damage.
          { type: 'file', path: `layer-${i}.bin`, content: pseudoRandomBytes(`${nonce}/${i}`, 32 * 1024) },
          { type: 'dir', path: 'etc' },
          { type: 'file', path: 'etc/nonce', content: `${nonce}\n` },
        ],
        compression,
      ),
    ),
  });
}
