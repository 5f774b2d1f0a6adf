// `skopeo-ts inspect`: as skopeo's cmd/skopeo/inspect.go — the raw manifest (--raw), the config
// (--config, --raw --config), or the inspect JSON / a Go template of it. For a list, the image
// for this platform is described but Digest is the list's.
import {
  configInfo,
  type Context,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  digestAlgorithm,
  type ImageReference,
  type ImageSource,
  isSkopeoError,
  manifestDigest,
  MEDIA_TYPE_OCI_CONFIG,
  SkopeoError,
  UnsupportedError,
} from '@skopeo-ts/core';
import type { App } from '../app.js';
import { renderFormat } from '../go/report-format.js';
import { imageInspectInfo } from '../inspect/image-info.js';
import { ociConfigValue } from '../inspect/oci-config.js';
import { inspectOutputValue } from '../inspect/output.js';
import { readConfigBlob, resolveImage } from '../inspect/read-image.js';
import { buildContext } from '../options/context.js';
import { readImageFlags } from '../options/image-flags.js';
import { readRetryOptions, withRetry } from '../options/retry.js';

const TEMPLATE_NAME = 'skopeo inspect';

interface InspectRequest {
  raw: boolean;
  config: boolean;
  format: string;
  listTags: boolean;
  digestAlgorithm: DigestAlgorithm | undefined;
}

function readRequest(opts: Readonly<Record<string, unknown>>): InspectRequest {
  const format = typeof opts.format === 'string' ? opts.format : '';
  const raw = opts.raw === true;
  if (raw && format !== '')
    throw new SkopeoError('INVALID_REFERENCE', 'raw output does not support format option');
  const algorithm = typeof opts.manifestDigest === 'string' ? opts.manifestDigest : undefined;
  if (algorithm !== undefined && !DIGEST_ALGORITHMS.includes(algorithm as DigestAlgorithm)) {
    throw new SkopeoError('INVALID_DIGEST', `digest algorithm "${algorithm}" is not available`, {
      hint: `use one of ${DIGEST_ALGORITHMS.join(', ')}`,
    });
  }
  return {
    raw,
    config: opts.config === true,
    format,
    listTags: opts.tags !== false,
    digestAlgorithm: algorithm as DigestAlgorithm | undefined,
  };
}

async function repositoryTags(app: App, ref: ImageReference, ctx: Context): Promise<string[]> {
  const transport = ref.transport;
  // As skopeo: only registries list their tags here.
  if (transport.name !== 'docker' || transport.listTags === undefined) return [];
  try {
    return (await transport.listTags(ref, ctx)).tags;
  } catch (error) {
    // Some registries block the tag list (ECR without ListImages); skopeo goes on without it.
    if (isSkopeoError(error, 'DENIED') || isSkopeoError(error, 'UNAUTHORIZED')) {
      app.warn('Registry disallows tag list retrieval; skipping');
      return [];
    }
    throw error;
  }
}

async function inspect(
  app: App,
  ref: ImageReference,
  ctx: Context,
  request: InspectRequest,
): Promise<string | Uint8Array> {
  const signal = ctx.signal;
  const source: ImageSource = await ref.newSource(ctx);
  try {
    const top = await source.getManifest(undefined, signal ? { signal } : {});
    if (request.raw && !request.config) return top.bytes;
    const image = await resolveImage(source, top, app.platformOverrides(), signal);
    const config = configInfo(image.manifest);
    if (request.config) {
      if (config === undefined) {
        if (request.raw) return new Uint8Array(); // schema 1 has no config blob: skopeo prints nothing
        throw new UnsupportedError('inspect --config of a Docker schema 1 image is not supported yet');
      }
      const bytes = await readConfigBlob(source, config, signal);
      if (request.raw) return bytes;
      if (image.manifest.kind === 'oci-manifest' && config.mediaType !== MEDIA_TYPE_OCI_CONFIG) {
        throw new UnsupportedError(
          `unsupported image-specific operation on artifact with type "${config.mediaType}"`,
        );
      }
      return renderFormat(request.format, ociConfigValue(bytes), TEMPLATE_NAME);
    }
    const configBytes = config ? await readConfigBlob(source, config, signal) : undefined;
    const info = imageInspectInfo(image.manifest, configBytes);
    // Current skopeo digests the top-level manifest with the config digest's algorithm.
    const algorithm = request.digestAlgorithm ?? (config ? digestAlgorithm(config.digest) : 'sha256');
    const digest = manifestDigest(top.bytes, top.mediaType, algorithm);
    const output = inspectOutputValue({
      name: ref.dockerReference?.name ?? '',
      digest,
      repoTags: request.listTags ? await repositoryTags(app, ref, ctx) : [],
      info,
    });
    return renderFormat(request.format, output, TEMPLATE_NAME);
  } finally {
    await source.close();
  }
}

export async function runInspect(
  app: App,
  image: string,
  opts: Readonly<Record<string, unknown>>,
): Promise<void> {
  const request = readRequest(opts);
  const ctx = buildContext(app, readImageFlags(opts, '', app.io.env));
  const ref = await app.imageReference(image);
  const output = await withRetry(
    () => inspect(app, ref, ctx, request),
    readRetryOptions(opts),
    (message) => app.warn(message),
    app.signal,
  );
  app.io.stdout.write(output);
}
