// A separate process using the built package with real stdin/stdout:
//   read REST        prints the manifest of docker-archive:REST (e.g. /dev/stdin:@1) as JSON
//   write SRC REST   copies oci:SRC to docker-archive:REST (e.g. /dev/stdout:name:tag)
import { copyImage } from '@skopeo-ts/core';
import ociPlugin from '@skopeo-ts/transport-oci';
import { dockerArchiveTransport } from '../../dist/index.js';

const [command, first, second] = process.argv.slice(2);
if (command === 'read') {
  const source = await dockerArchiveTransport.parseReference(first).newSource({});
  try {
    const manifest = await source.getManifest();
    process.stdout.write(Buffer.from(manifest.bytes));
  } finally {
    await source.close();
  }
} else if (command === 'write') {
  const oci = ociPlugin.transports.find((transport) => transport.name === 'oci');
  await copyImage(oci.parseReference(first), dockerArchiveTransport.parseReference(second));
} else {
  throw new Error(`unknown command ${command}`);
}
