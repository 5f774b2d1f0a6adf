// A separate process that copies with the built package, for kill -9 and concurrent writers.
// argv[2]: {"jobs":[{"src":"oci:/a:x","dest":"containers-storage:[vfs@/r+/rr]name"}]}
import { copyImage } from '@skopeo-ts/core';
import ociPlugin from '@skopeo-ts/transport-oci';
import storagePlugin from '../../dist/index.js';

const transports = new Map([...ociPlugin.transports, ...storagePlugin.transports].map((t) => [t.name, t]));
const parse = (text) => {
  const colon = text.indexOf(':');
  return transports.get(text.slice(0, colon)).parseReference(text.slice(colon + 1));
};

const { jobs } = JSON.parse(process.argv[2]);
for (const job of jobs) {
  await copyImage(parse(job.src), parse(job.dest));
  process.stdout.write(`done ${job.dest}\n`);
}
