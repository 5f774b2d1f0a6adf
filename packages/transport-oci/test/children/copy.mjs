// A separate process that copies images with the built package, for tests that need real
// processes: kill -9 mid-copy, and several writers on one layout at once.
// argv[2]: {"jobs":[{"src":"oci:/a:x","dest":"oci:/b:y"}], "acceptUncompressed": bool}
import { copyImage } from '@skopeo-ts/core';
import { ociArchiveTransport, ociTransport } from '../../dist/index.js';

const transports = { oci: ociTransport, 'oci-archive': ociArchiveTransport };
const parse = (text) => {
  const colon = text.indexOf(':');
  return transports[text.slice(0, colon)].parseReference(text.slice(colon + 1));
};

const { jobs, acceptUncompressed } = JSON.parse(process.argv[2]);
for (const job of jobs) {
  let reported = false;
  await copyImage(parse(job.src), parse(job.dest), {
    destinationContext: { ociAcceptUncompressedLayers: acceptUncompressed === true },
    progress: (event) => {
      if (event.kind === 'blob-progress' && !reported) {
        reported = true;
        process.stdout.write(`progress ${job.dest}\n`);
      }
    },
  });
  process.stdout.write(`done ${job.dest}\n`);
}
