// Platforms: the running one, the ones acceptable in its place, and choosing a list's instance
// (containers/image's internal/pkg/platform and ChooseInstance, with containerd's name aliases).
import { endianness } from 'node:os';
import type { Digest } from '../digest.js';
import { ImageNotFoundError } from '../errors.js';
import type { ListInstance } from './list.js';
import { listInstances, type ParsedManifestList } from './parse.js';

/** os/architecture/variant only: what instance selection compares. */
export interface PlatformChoice {
  os: string;
  architecture: string;
  variant: string;
}

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/**
 * Canonical os/architecture/variant spellings (containerd's platforms.Normalize, except that an
 * explicit arm64 `v8` stays distinct from no variant, as containers/image matches them):
 * x86_64/x86-64 → amd64 (variant v1 → none), aarch64 → arm64 (8, v8.0 → v8), armhf → arm v7,
 * armel → arm v6, arm 5/6/7/8 → v5…v8, i386 → 386, macos → darwin; all lowercase.
 */
export function normalizePlatform(platform: {
  os: string;
  architecture: string;
  variant?: string;
}): PlatformChoice {
  const os = normalizeOs(platform.os);
  let architecture = platform.architecture.toLowerCase();
  let variant = (platform.variant ?? '').toLowerCase();
  switch (architecture) {
    case 'i386':
      architecture = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8.0') variant = 'v8';
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
      break;
    case 'armhf':
      architecture = 'arm';
      if (variant === '') variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      if (variant === '') variant = 'v6';
      break;
    case 'arm':
      if (variant === '5' || variant === '6' || variant === '7' || variant === '8') variant = `v${variant}`;
      break;
  }
  return { os, architecture, variant };
}

/** Known variants of an architecture, most capable first (containers/image's compatibility table). */
const COMPATIBILITY: Readonly<Record<string, readonly string[]>> = {
  arm: ['v8', 'v7', 'v6', 'v5'],
  arm64: ['v8'],
};

/**
 * The platforms acceptable for `wanted`, best first (containers/image's WantedPlatforms):
 * - a known variant walks down the compatibility list, then no variant: arm v7 → v7, v6, v5, "";
 *   arm64 v8 → v8, "";
 * - a later arm64 variant (v8.2, v9) runs v8 images too: v9 → v9, v8, "";
 * - an unknown variant → itself, then "";
 * - no variant → "", then every known variant of the architecture.
 */
export function platformCandidates(wanted: {
  os: string;
  architecture: string;
  variant?: string;
}): PlatformChoice[] {
  const { os, architecture, variant } = normalizePlatform(wanted);
  const known = COMPATIBILITY[architecture];
  let variants: string[];
  if (variant !== '') {
    const position = known?.indexOf(variant) ?? -1;
    if (known !== undefined && position >= 0) variants = [...known.slice(position), ''];
    else if (architecture === 'arm64' && /^v(?:8\.\d+|9(?:\.\d+)?)$/.test(variant))
      variants = [variant, 'v8', ''];
    else variants = [variant, ''];
  } else {
    variants = ['', ...(known ?? [])];
  }
  return variants.map((v) => ({ os, architecture, variant: v }));
}

/** Whether an image's platform is the wanted one (names normalized on both sides). */
export function matchesPlatform(
  image: { os: string; architecture: string; variant?: string },
  wanted: { os: string; architecture: string; variant?: string },
): boolean {
  const a = normalizePlatform(image);
  const b = normalizePlatform(wanted);
  return a.os === b.os && a.architecture === b.architecture && a.variant === b.variant;
}

const NODE_OS: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };

const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  mips64el: 'mips64le',
  s390: 's390',
  ppc: 'ppc',
};

/**
 * The running platform in OCI terms: Node's `x64` → amd64, `arm64` → arm64 v8, `arm` → arm with
 * the variant Node was built for (process.config's arm_version), `win32` → windows.
 */
export function currentPlatform(): PlatformChoice {
  const os = NODE_OS[process.platform] ?? process.platform;
  let architecture = NODE_ARCH[process.arch] ?? process.arch;
  if (process.arch === 'ppc64') architecture = endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  let variant = '';
  if (architecture === 'arm64') variant = 'v8';
  else if (architecture === 'arm') {
    const variables = (process.config as { variables?: Record<string, unknown> }).variables;
    const armVersion = variables?.arm_version;
    variant =
      armVersion === undefined || armVersion === null || armVersion === '' ? 'v7' : `v${String(armVersion)}`;
    if (variant === 'vdefault') variant = 'v7';
  }
  return { os, architecture, variant };
}

/**
 * The platform to pick from lists, from the running one and the user's overrides
 * (--override-os/--override-arch/--override-variant). As containers/image: when the architecture
 * is overridden, the running CPU's variant is not used (only an explicit variant override).
 */
export function wantedPlatform(
  overrides: { os?: string; architecture?: string; variant?: string } = {},
  running: PlatformChoice = currentPlatform(),
): PlatformChoice {
  const architecture = nonEmpty(overrides.architecture);
  const variant = nonEmpty(overrides.variant);
  return {
    os: nonEmpty(overrides.os) ?? running.os,
    architecture: architecture ?? running.architecture,
    variant: variant ?? (architecture === undefined ? running.variant : ''),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `os/architecture[/variant]`. */
export function formatPlatform(platform: { os: string; architecture: string; variant?: string }): string {
  const variant = platform.variant ?? '';
  return `${platform.os}/${platform.architecture}${variant === '' ? '' : `/${variant}`}`;
}

/** Parses `os/architecture[/variant]` (as docker's --platform); undefined when malformed. */
export function parsePlatform(text: string): PlatformChoice | undefined {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) return undefined;
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform({ os, architecture, variant: variant ?? '' });
}

export interface ChooseInstanceOptions {
  /**
   * Among instances of the same platform, prefer gzip over zstd variants (containers/image's
   * PreferGzipInstances); by default the zstd variant wins, as in containers/image.
   */
  preferGzip?: boolean;
}

interface Candidate {
  rank: number;
  zstd: boolean;
  position: number;
  digest: Digest;
}

function describeInstances(instances: readonly ListInstance[]): string {
  if (instances.length === 0) return 'the list is empty';
  const names = instances.map((instance) =>
    instance.platform === undefined ? '(no platform)' : formatPlatform(instance.platform),
  );
  return `the list has: ${[...new Set(names)].join(', ')}`;
}

/**
 * The digest of the list's image for `wanted` (default: the running platform). The best
 * candidate platform wins; ties go to zstd variants (unless preferGzip), then to list order.
 * An OCI index entry without a platform is a last resort, as in containers/image. Throws
 * ImageNotFoundError (code NOT_FOUND) naming what the list has.
 */
export function chooseInstance(
  list: ParsedManifestList,
  wanted: { os: string; architecture: string; variant?: string } = currentPlatform(),
  options: ChooseInstanceOptions = {},
): Digest {
  const candidates = platformCandidates(wanted);
  const instances = listInstances(list);
  let best: Candidate | undefined;
  instances.forEach((instance, position) => {
    let rank = Number.MAX_SAFE_INTEGER;
    if (instance.platform !== undefined) {
      const image = instance.platform;
      rank = candidates.findIndex((candidate) => matchesPlatform(image, candidate));
      if (rank < 0) return;
    }
    const candidate: Candidate = { rank, zstd: instance.zstd, position, digest: instance.digest };
    if (best === undefined || isPreferred(candidate, best, options.preferGzip === true)) best = candidate;
  });
  if (best !== undefined) return best.digest;
  const first = candidates[0] as PlatformChoice;
  const what = list.kind === 'oci-index' ? 'image index' : 'manifest list';
  throw new ImageNotFoundError(
    `no image found in ${what} for architecture "${first.architecture}", variant "${first.variant}", OS "${first.os}"; ${describeInstances(instances)}`,
    {
      hint: 'choose another platform with --override-os, --override-arch and --override-variant, or copy all with --all',
    },
  );
}

function isPreferred(a: Candidate, b: Candidate, preferGzip: boolean): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.zstd !== b.zstd) return preferGzip ? !a.zstd : a.zstd;
  return a.position < b.position;
}
