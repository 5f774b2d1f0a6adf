import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSkopeoError } from '../errors.js';
import { type ParsedManifestList, parseManifest } from './parse.js';
import {
  chooseInstance,
  currentPlatform,
  formatPlatform,
  matchesPlatform,
  normalizePlatform,
  parsePlatform,
  platformCandidates,
  wantedPlatform,
} from './platform.js';
import {
  AMD64,
  ARM64,
  ARMV6,
  ARMV7,
  ATTEST,
  DOCKER_LIST,
  enc,
  fakeDigest,
  OCI_INDEX,
} from './test-fixtures.js';

const variants = (wanted: { os: string; architecture: string; variant?: string }) =>
  platformCandidates(wanted).map((p) => p.variant);

const list = (text: string) => parseManifest(enc(text)) as ParsedManifestList;

function ociIndexOf(
  entries: { digest: string; platform?: Record<string, unknown>; annotations?: Record<string, string> }[],
): ParsedManifestList {
  return list(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map((entry) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 500,
        ...entry,
      })),
    }),
  );
}

describe('normalizePlatform', () => {
  it.each([
    [
      { os: 'linux', architecture: 'x86_64' },
      { os: 'linux', architecture: 'amd64', variant: '' },
    ],
    [
      { os: 'Linux', architecture: 'x86-64', variant: 'v1' },
      { os: 'linux', architecture: 'amd64', variant: '' },
    ],
    [
      { os: 'linux', architecture: 'amd64', variant: 'v3' },
      { os: 'linux', architecture: 'amd64', variant: 'v3' },
    ],
    [
      { os: 'linux', architecture: 'aarch64' },
      { os: 'linux', architecture: 'arm64', variant: '' },
    ],
    [
      { os: 'linux', architecture: 'aarch64', variant: '8' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
    [
      { os: 'linux', architecture: 'arm64', variant: 'v8.0' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
    [
      { os: 'linux', architecture: 'armhf' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ],
    [
      { os: 'linux', architecture: 'armel' },
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ],
    [
      { os: 'linux', architecture: 'arm', variant: '7' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ],
    [
      { os: 'linux', architecture: 'i386' },
      { os: 'linux', architecture: '386', variant: '' },
    ],
    [
      { os: 'macOS', architecture: 'arm64' },
      { os: 'darwin', architecture: 'arm64', variant: '' },
    ],
  ])('%j → %j', (input, expected) => {
    expect(normalizePlatform(input)).toEqual(expected);
  });
});

describe('platformCandidates', () => {
  it.each([
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, ['v8', '']],
    [{ os: 'linux', architecture: 'aarch64', variant: '8' }, ['v8', '']],
    [{ os: 'linux', architecture: 'arm64' }, ['', 'v8']],
    [{ os: 'linux', architecture: 'arm64', variant: 'v9' }, ['v9', 'v8', '']],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8.2' }, ['v8.2', 'v8', '']],
    [{ os: 'linux', architecture: 'arm', variant: 'v8' }, ['v8', 'v7', 'v6', 'v5', '']],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, ['v7', 'v6', 'v5', '']],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, ['v6', 'v5', '']],
    [{ os: 'linux', architecture: 'arm', variant: 'v5' }, ['v5', '']],
    [{ os: 'linux', architecture: 'arm' }, ['', 'v8', 'v7', 'v6', 'v5']],
    [{ os: 'linux', architecture: 'armhf' }, ['v7', 'v6', 'v5', '']],
    [{ os: 'linux', architecture: 'amd64' }, ['']],
    [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, ['v3', '']],
    [{ os: 'linux', architecture: 'riscv64', variant: 'rva22' }, ['rva22', '']],
  ])('%j → %j', (wanted, expected) => {
    expect(variants(wanted)).toEqual(expected);
  });

  it('keeps the os and normalized architecture in every candidate', () => {
    for (const candidate of platformCandidates({ os: 'linux', architecture: 'aarch64', variant: 'v8' })) {
      expect(candidate).toMatchObject({ os: 'linux', architecture: 'arm64' });
    }
  });
});

describe('matchesPlatform', () => {
  it('compares normalized names', () => {
    expect(
      matchesPlatform(
        { os: 'linux', architecture: 'x86_64' },
        { os: 'linux', architecture: 'amd64', variant: '' },
      ),
    ).toBe(true);
    expect(
      matchesPlatform(
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
        { os: 'linux', architecture: 'arm64' },
      ),
    ).toBe(false);
    expect(
      matchesPlatform({ os: 'windows', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' }),
    ).toBe(false);
  });
});

describe('chooseInstance', () => {
  it('picks the exact platform from a Docker list', () => {
    const docker = list(DOCKER_LIST);
    expect(chooseInstance(docker, { os: 'linux', architecture: 'amd64' })).toBe(AMD64);
    expect(chooseInstance(docker, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(ARMV7);
    expect(chooseInstance(docker, { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(ARMV6);
    expect(chooseInstance(docker, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(ARM64);
    expect(chooseInstance(docker, { os: 'windows', architecture: 'amd64' })).toBe(fakeDigest('windows'));
  });

  it('falls back down the arm variants', () => {
    const docker = list(DOCKER_LIST);
    // An armv8 32-bit CPU runs v7 images; the list has no v8 for arm.
    expect(chooseInstance(docker, { os: 'linux', architecture: 'arm', variant: 'v8' })).toBe(ARMV7);
    const onlyV5 = ociIndexOf([
      { digest: fakeDigest('v5'), platform: { os: 'linux', architecture: 'arm', variant: 'v5' } },
    ]);
    expect(chooseInstance(onlyV5, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(
      fakeDigest('v5'),
    );
    expect(() => chooseInstance(onlyV5, { os: 'linux', architecture: 'arm', variant: 'v6' })).not.toThrow();
    const v7Only = ociIndexOf([
      { digest: fakeDigest('v7'), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    ]);
    expect(() => chooseInstance(v7Only, { os: 'linux', architecture: 'arm', variant: 'v6' })).toThrow(
      /no image found/,
    );
  });

  it('prefers arm64 v8 over a variant-less arm64 entry for a v8 CPU, and takes either', () => {
    const both = ociIndexOf([
      { digest: fakeDigest('plain'), platform: { os: 'linux', architecture: 'arm64' } },
      { digest: fakeDigest('v8'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    expect(chooseInstance(both, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(
      fakeDigest('v8'),
    );
    expect(chooseInstance(both, { os: 'linux', architecture: 'arm64' })).toBe(fakeDigest('plain'));
    const plainOnly = ociIndexOf([
      { digest: fakeDigest('plain'), platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    expect(chooseInstance(plainOnly, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(
      fakeDigest('plain'),
    );
    expect(chooseInstance(plainOnly, { os: 'linux', architecture: 'aarch64', variant: 'v9' })).toBe(
      fakeDigest('plain'),
    );
  });

  it('matches aliases written in the list', () => {
    const aliased = ociIndexOf([
      { digest: fakeDigest('x86'), platform: { os: 'linux', architecture: 'x86_64' } },
    ]);
    expect(chooseInstance(aliased, { os: 'linux', architecture: 'amd64' })).toBe(fakeDigest('x86'));
  });

  it('skips attestation entries (unknown/unknown) in a buildx index', () => {
    const index = list(OCI_INDEX);
    expect(chooseInstance(index, { os: 'linux', architecture: 'amd64' })).toBe(AMD64);
    expect(chooseInstance(index, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(ARM64);
    expect(ATTEST).not.toBe(AMD64);
  });

  it('takes an entry without platform only as a last resort', () => {
    const index = ociIndexOf([
      { digest: fakeDigest('no platform') },
      { digest: AMD64, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    expect(chooseInstance(index, { os: 'linux', architecture: 'amd64' })).toBe(AMD64);
    expect(chooseInstance(index, { os: 'linux', architecture: 's390x' })).toBe(fakeDigest('no platform'));
  });

  it('prefers zstd instances of the same platform unless asked for gzip', () => {
    const zstd = { 'io.github.containers.compression.zstd': 'true' };
    const index = ociIndexOf([
      { digest: fakeDigest('gzip'), platform: { os: 'linux', architecture: 'amd64' } },
      { digest: fakeDigest('zstd'), platform: { os: 'linux', architecture: 'amd64' }, annotations: zstd },
    ]);
    expect(chooseInstance(index, { os: 'linux', architecture: 'amd64' })).toBe(fakeDigest('zstd'));
    expect(chooseInstance(index, { os: 'linux', architecture: 'amd64' }, { preferGzip: true })).toBe(
      fakeDigest('gzip'),
    );
  });

  it('says what the list has when nothing matches (code NOT_FOUND)', () => {
    let caught: unknown;
    try {
      chooseInstance(list(DOCKER_LIST), { os: 'linux', architecture: 'ppc64le' });
    } catch (error) {
      caught = error;
    }
    expect(isSkopeoError(caught, 'NOT_FOUND')).toBe(true);
    expect((caught as Error).message).toBe(
      'no image found in manifest list for architecture "ppc64le", variant "", OS "linux"; the list has: linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64/v8, windows/amd64',
    );
    expect(() => chooseInstance(list(OCI_INDEX), { os: 'freebsd', architecture: 'amd64' })).toThrow(
      /no image found in image index .* the list has: linux\/amd64, linux\/arm64\/v8, unknown\/unknown/,
    );
  });

  it('reports an empty list', () => {
    expect(() => chooseInstance(ociIndexOf([]), { os: 'linux', architecture: 'amd64' })).toThrow(
      /the list is empty/,
    );
  });
});

describe('currentPlatform and wantedPlatform', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function stubProcess(platform: string, arch: string, armVersion?: string): void {
    vi.stubGlobal('process', {
      ...process,
      platform,
      arch,
      config: { ...process.config, variables: { ...process.config.variables, arm_version: armVersion } },
    });
  }

  it.each([
    ['linux', 'x64', undefined, { os: 'linux', architecture: 'amd64', variant: '' }],
    ['linux', 'arm64', undefined, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux', 'arm', '6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux', 'arm', '7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['win32', 'x64', undefined, { os: 'windows', architecture: 'amd64', variant: '' }],
    ['darwin', 'arm64', undefined, { os: 'darwin', architecture: 'arm64', variant: 'v8' }],
    ['linux', 'ia32', undefined, { os: 'linux', architecture: '386', variant: '' }],
    ['linux', 's390x', undefined, { os: 'linux', architecture: 's390x', variant: '' }],
  ])('%s/%s (arm_version %s) → %j', (platform, arch, armVersion, expected) => {
    stubProcess(platform, arch, armVersion);
    expect(currentPlatform()).toEqual(expected);
  });

  it('applies overrides as containers/image does', () => {
    const running = { os: 'linux', architecture: 'arm64', variant: 'v8' };
    expect(wantedPlatform({}, running)).toEqual(running);
    // Overriding the architecture drops the detected variant…
    expect(wantedPlatform({ architecture: 'arm' }, running)).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: '',
    });
    // …unless a variant is given too.
    expect(wantedPlatform({ architecture: 'arm', variant: 'v7' }, running)).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
    expect(wantedPlatform({ variant: 'v9' }, running)).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v9',
    });
    expect(wantedPlatform({ os: 'windows', architecture: '' }, running)).toEqual({
      os: 'windows',
      architecture: 'arm64',
      variant: 'v8',
    });
  });

  it('defaults to the running platform', () => {
    expect(wantedPlatform()).toEqual(currentPlatform());
  });
});

describe('formatPlatform and parsePlatform', () => {
  it('formats and parses os/arch[/variant]', () => {
    expect(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
    expect(formatPlatform({ os: 'linux', architecture: 'amd64' })).toBe('linux/amd64');
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64', variant: '' });
    expect(parsePlatform('linux/arm/7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux')).toBeUndefined();
    expect(parsePlatform('linux//v7')).toBeUndefined();
    expect(parsePlatform('a/b/c/d')).toBeUndefined();
  });
});
