// `skopeo-ts delete IMAGE`: the reference's own delete(); transports that cannot delete say so.
import type { App } from '../app.js';
import { buildContext } from '../options/context.js';
import { readImageFlags } from '../options/image-flags.js';
import { readRetryOptions, withRetry } from '../options/retry.js';

export async function runDelete(
  app: App,
  image: string,
  opts: Readonly<Record<string, unknown>>,
): Promise<void> {
  const ctx = buildContext(app, readImageFlags(opts, '', app.io.env));
  const ref = await app.imageReference(image);
  await withRetry(
    () => ref.delete(ctx),
    readRetryOptions(opts),
    (message) => app.warn(message),
    app.signal,
  );
}
