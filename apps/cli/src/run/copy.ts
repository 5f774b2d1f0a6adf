// `skopeo-ts copy`: skopeo's copy flags mapped onto core's copyImage. Messages and progress go
// to stderr (stdout stays clean, e.g. for docker-archive:/dev/stdout); -q silences them.
import { writeFile } from 'node:fs/promises';
import {
  type CompressionAlgorithm,
  type CopyOptions,
  copyImage,
  copyImages,
  MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
  MEDIA_TYPE_OCI_MANIFEST,
  type MultiArch,
  parseDockerReference,
  SkopeoError,
  UnsupportedError,
} from '@skopeo-ts/core';
import type { App } from '../app.js';
import { buildContext } from '../options/context.js';
import { type DestinationFlags, readDestinationFlags, readImageFlags } from '../options/image-flags.js';
import { readRetryOptions, withRetry } from '../options/retry.js';
import { createProgress, type ProgressMode } from '../progress/create.js';

const MANIFEST_FORMATS: Readonly<Record<string, string>> = {
  oci: MEDIA_TYPE_OCI_MANIFEST,
  v2s1: MEDIA_TYPE_DOCKER_V2S1_SIGNED_MANIFEST,
  v2s2: MEDIA_TYPE_DOCKER_V2S2_MANIFEST,
};

const NOT_YET_SUPPORTED = [
  ['signBy', '--sign-by'],
  ['signBySqFingerprint', '--sign-by-sq-fingerprint'],
  ['signBySigstore', '--sign-by-sigstore'],
  ['signBySigstorePrivateKey', '--sign-by-sigstore-private-key'],
  ['signPassphraseFile', '--sign-passphrase-file'],
  ['signIdentity', '--sign-identity'],
  ['encryptionKey', '--encryption-key'],
  ['encryptLayer', '--encrypt-layer'],
  ['decryptionKey', '--decryption-key'],
] as const;

/**
 * --additional-tag values (repeatable, and comma-separated as Go's string slices are), each a
 * tagged docker reference, as skopeo checks them.
 */
function additionalTags(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const tags = (value as string[]).flatMap((item) => item.split(',')).filter((item) => item !== '');
  for (const tag of tags) {
    let parsed: ReturnType<typeof parseDockerReference>;
    try {
      parsed = parseDockerReference(tag);
    } catch (error) {
      throw usage(`error parsing additional-tag '${tag}': ${(error as Error).message}`);
    }
    if (parsed.tag === undefined || parsed.digest !== undefined) {
      throw usage(`additional-tag '${tag}' must be a tagged reference`);
    }
  }
  return tags.length === 0 ? undefined : tags;
}

function usage(message: string, hint?: string): SkopeoError {
  return new SkopeoError('INVALID_REFERENCE', message, hint === undefined ? {} : { hint });
}

function manifestTypeOf(format: unknown): string | undefined {
  if (format === undefined) return undefined;
  const type = MANIFEST_FORMATS[String(format)];
  if (type === undefined) {
    throw usage(
      `unknown format "${String(format)}". Choose one of the supported formats: 'oci', 'v2s1', or 'v2s2'`,
    );
  }
  return type;
}

function compressionOf(format: string | undefined): CompressionAlgorithm | undefined {
  if (format === undefined) return undefined;
  if (format === 'gzip' || format === 'zstd') return format;
  throw usage(`unsupported compression format "${format}"`, 'use gzip or zstd');
}

/** --dest-compress-level: gzip's 0 (stored) to 9 (smallest); our default is 1 (fastest). */
function compressionLevelOf(level: string | undefined): number | undefined {
  if (level === undefined) return undefined;
  const parsed = Number(level);
  if (!/^-?\d+$/.test(level.trim()) || parsed < 0 || parsed > 9) {
    throw usage(
      `invalid --dest-compress-level "${level}"`,
      'gzip levels are 0 (no compression) to 9 (smallest)',
    );
  }
  return parsed;
}

function multiArchOf(opts: Readonly<Record<string, unknown>>): MultiArch {
  const all = opts.all === true;
  const multiArch = opts.multiArch as MultiArch | undefined;
  if (all && multiArch !== undefined) throw usage('Cannot use --all and --multi-arch flags together');
  if (all) return 'all';
  return multiArch ?? 'system';
}

/** dir's own options, passed through Context.transportOptions as the dir transport reads them. */
function dirOptions(flags: DestinationFlags): Record<string, boolean> | undefined {
  const options: Record<string, boolean> = {};
  if (flags.compress) options.compress = true;
  if (flags.decompress) options.decompress = true;
  return Object.keys(options).length === 0 ? undefined : options;
}

export async function runCopy(
  app: App,
  sources: readonly string[],
  destination: string,
  opts: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (sources.length > 1 && typeof opts.digestfile === 'string') {
    throw usage('--digestfile names the digest of one image: copy one source to use it');
  }
  for (const [key, flag] of NOT_YET_SUPPORTED) {
    if (opts[key] !== undefined) {
      throw new UnsupportedError(`${flag} is not supported by skopeo-ts yet`, {
        hint: 'copy without it, or use skopeo for this copy',
      });
    }
  }
  const env = app.io.env;
  const destFlags = readDestinationFlags(opts);
  if (destFlags.compress && destFlags.decompress)
    throw usage('--dest-compress and --dest-decompress cannot be used together');
  const dir = dirOptions(destFlags);
  const extraTags = additionalTags(opts.additionalTag);
  const sourceContext = buildContext(app, readImageFlags(opts, 'src-', env));
  const destinationContext = buildContext(app, readImageFlags(opts, 'dest-', env), {
    ...(dir ? { transportOptions: { dir } } : {}),
    ociAcceptUncompressedLayers: destFlags.ociAcceptUncompressedLayers,
    ...(extraTags ? { dockerArchiveAdditionalTags: extraTags } : {}),
  });
  const multiArch = multiArchOf(opts);
  const manifestType = manifestTypeOf(opts.format);
  const compressionFormat = compressionOf(destFlags.compressFormat);

  const sourceRefs = [];
  for (const source of sources) sourceRefs.push(await app.imageReference(source));
  const destinationRef = await app.imageReference(destination);
  if (destinationRef.transport.name !== 'dir') {
    if (destFlags.compress)
      app.warn("--dest-compress can only be used if the destination transport is 'dir'");
    if (destFlags.decompress)
      app.warn("--dest-decompress can only be used if the destination transport is 'dir'");
  }
  const compressionLevel = compressionLevelOf(destFlags.compressLevel);

  const progress =
    opts.quiet === true ? undefined : createProgress(opts.progress as ProgressMode, app.io.stderr);
  const platform = app.platformOverrides();
  const options: CopyOptions = {
    sourceContext,
    destinationContext,
    multiArch,
    ...(Object.keys(platform).length > 0 ? { platform } : {}),
    ...(manifestType ? { manifestType } : {}),
    preserveDigests: opts.preserveDigests === true,
    removeSignatures: opts.removeSignatures === true,
    ...(compressionFormat ? { compressionFormat } : {}),
    forceCompressionFormat: destFlags.forceCompressFormat,
    ...(compressionLevel === undefined ? {} : { compressionLevel }),
    ...(typeof opts.imageParallelCopies === 'number' && opts.imageParallelCopies > 0
      ? { concurrency: opts.imageParallelCopies }
      : {}),
    ...(app.signal ? { signal: app.signal } : {}),
    ...(progress ? { progress: (event) => progress.handle(event) } : {}),
    // Blobs are retried one by one; the whole copy again only for what failed outside them.
    retry: readRetryOptions(opts),
  };
  try {
    const [single, ...others] = sourceRefs;
    if (single === undefined) throw usage('copy needs a source image');
    if (others.length > 0) {
      // Several images into one destination: committed once at the end, or not at all.
      await copyImages(sourceRefs, destinationRef, options);
      return;
    }
    const result = await withRetry(
      () => copyImage(single, destinationRef, options),
      readRetryOptions(opts),
      (message) => app.warn(message),
      app.signal,
    );
    if (typeof opts.digestfile === 'string') {
      try {
        await writeFile(opts.digestfile, result.digest, { mode: 0o644 });
      } catch (error) {
        throw new SkopeoError(
          'IO',
          `Failed to write digest to file "${opts.digestfile}": ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }
  } finally {
    progress?.close();
  }
}
