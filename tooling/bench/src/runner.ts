#!/usr/bin/env node
// `node dist/runner.js SRC DEST`: one copyImage through the library, in a process of its own so
// that its wall time and peak RSS can be measured like skopeo's. Used by `pnpm bench --via
// library` (and when the CLI is not built). Prints one JSON line: the manifest digest and the
// process's own view of its peak RSS (a cross-check of the external measurement).
import { copyImage, type ImageReference, splitTransportReference, type Transport } from '@skopeo-ts/core';
import { dirTransport } from '@skopeo-ts/transport-dir';
import { ociArchiveTransport, ociTransport } from '@skopeo-ts/transport-oci';

const TRANSPORTS: Readonly<Record<string, Transport>> = {
  oci: ociTransport,
  'oci-archive': ociArchiveTransport,
  dir: dirTransport,
};

function parse(text: string): ImageReference {
  const { transport, rest } = splitTransportReference(text);
  const found = TRANSPORTS[transport];
  if (found === undefined) {
    throw new Error(`the bench runner supports ${Object.keys(TRANSPORTS).join(', ')}, not ${transport}:`);
  }
  return found.parseReference(rest);
}

const [source, destination, ...extra] = process.argv.slice(2);
if (source === undefined || destination === undefined || extra.length > 0) {
  process.stderr.write('usage: runner.js SOURCE DESTINATION\n');
  process.exit(2);
}
try {
  const result = await copyImage(parse(source), parse(destination));
  process.stdout.write(
    `${JSON.stringify({ digest: result.digest, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
  );
} catch (error) {
  process.stderr.write(
    `runner: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
