// The dir: layout on disk, as containers/image's directory transport names its files:
//   version                       "Directory Transport Version: 1.1\n" (1.2 once a non-sha256 name is used)
//   manifest.json                 the top-level manifest (an image or a list)
//   <hex>                         blobs (layers, configs) by digest; sha256 has no algorithm prefix
//   signature-1 … signature-N     signatures of the top-level manifest
//   <hex>.manifest.json           list instances, by their digest
//   <hex>.signature-1 …           signatures of list instances
// Other algorithms name files `<algorithm>-<hex>` (e.g. `sha512-…`), which is what version 1.2 says.
//
// Our own files, which skopeo (and our source) ignore:
//   .skopeo-ts-lock               held by a writer while it commits (@skopeo-ts/file-lock)
//   .skopeo-ts-tmp-<host>-<pid>-<purpose>-<random>
//                                 temporary files and each writer's private staging directory;
//                                 host and pid tell a later writer whether their writer is gone.
import { hostname } from 'node:os';
import { CANONICAL_ALGORITHM, type Digest, parseDigest } from '@skopeo-ts/core';

export const DIR_TRANSPORT_NAME = 'dir';

export const VERSION_FILE = 'version';
export const MANIFEST_FILE = 'manifest.json';

/** Our temporary files start with this, so they are never mistaken for image files (or user data). */
export const TEMP_PREFIX = '.skopeo-ts-tmp-';

/** The lock file a writer holds while it commits. */
export const LOCK_FILE = '.skopeo-ts-lock';

/** This machine's name as temp file names carry it: no "-", so that names split unambiguously. */
export const TEMP_HOST = hostname().replace(/[^A-Za-z0-9._]/g, '_') || 'localhost';

/** What a temp name we write says about its writer. */
export interface TempNameOwner {
  host: string;
  pid: number;
}

const TEMP_NAME = /^\.skopeo-ts-tmp-([A-Za-z0-9._]+)-([1-9]\d{0,9})-([a-z]+)-[0-9a-f]{16}$/;

/** A fresh temp name for `purpose` (lower-case letters only): `.skopeo-ts-tmp-<host>-<pid>-<purpose>-<random>`. */
export function tempName(purpose: string, random: string): string {
  return `${TEMP_PREFIX}${TEMP_HOST}-${process.pid}-${purpose}-${random}`;
}

/** The writer a temp name names, or undefined for one in another form (e.g. of an older version). */
export function tempNameOwner(name: string): TempNameOwner | undefined {
  const match = TEMP_NAME.exec(name);
  if (!match) return undefined;
  return { host: match[1] as string, pid: Number(match[2]) };
}

export interface DirLayoutVersion {
  major: number;
  minor: number;
}

/** Written when every file name is a bare sha256 hex (what skopeo 1.9.3 and older can read). */
export const VERSION_1_1: DirLayoutVersion = { major: 1, minor: 1 };
/** Written when some file is named `<algorithm>-<hex>`. */
export const VERSION_1_2: DirLayoutVersion = { major: 1, minor: 2 };
/** The newest layout we understand; a newer one is refused rather than misread or overwritten. */
export const MAX_SUPPORTED_VERSION = VERSION_1_2;

const VERSION_PREFIX = 'Directory Transport Version: ';

export function formatVersion(version: DirLayoutVersion): string {
  return `${VERSION_PREFIX}${version.major}.${version.minor}\n`;
}

/** The version a `version` file holds, or undefined unless it is exactly in the canonical form. */
export function parseVersion(text: string): DirLayoutVersion | undefined {
  const match = /^Directory Transport Version: (0|[1-9]\d*)\.(0|[1-9]\d*)\n$/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function isNewerVersion(version: DirLayoutVersion, than: DirLayoutVersion): boolean {
  return version.major !== than.major ? version.major > than.major : version.minor > than.minor;
}

/** Whether a digest is named by its bare hex (sha256) rather than `<algorithm>-<hex>`. */
export function hasBareHexName(digest: Digest): boolean {
  return parseDigest(digest).algorithm === CANONICAL_ALGORITHM;
}

/**
 * The file-name stem of a digest. The digest is validated first: a crafted "digest" must never
 * turn into a path outside the directory.
 */
function digestStem(digest: Digest): string {
  const { algorithm, hex } = parseDigest(digest);
  return algorithm === CANONICAL_ALGORITHM ? hex : `${algorithm}-${hex}`;
}

export function blobFileName(digest: Digest): string {
  return digestStem(digest);
}

export function manifestFileName(instanceDigest?: Digest): string {
  return instanceDigest === undefined ? MANIFEST_FILE : `${digestStem(instanceDigest)}.manifest.json`;
}

/** `index` is 0-based; files are numbered from 1. */
export function signatureFileName(index: number, instanceDigest?: Digest): string {
  const prefix = instanceDigest === undefined ? '' : `${digestStem(instanceDigest)}.`;
  return `${prefix}signature-${index + 1}`;
}

export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** Names the files of an image have: manifests, blobs, signatures, the version file. */
export function isImageFileName(name: string): boolean {
  if (name === MANIFEST_FILE || name === VERSION_FILE || /^signature-[1-9]\d*$/.test(name)) return true;
  return /^(?:[a-z0-9]+-)?[0-9a-f]{32,}(?:\.manifest\.json|\.signature-[1-9]\d*)?$/.test(name);
}

/** Files of ours that are not part of any image: temp files, staging directories, the lock. */
export function isOwnFileName(name: string): boolean {
  return isTempFileName(name) || name === LOCK_FILE;
}

/** Signature files of any manifest (top-level or instance). */
export function isSignatureFileName(name: string): boolean {
  return /(?:^|\.)signature-[1-9]\d*$/.test(name);
}
