// A separate process that copies images with the built package, for tests that need real
// processes: kill -9 mid-copy, and several writers on one directory at once.
// argv[2]: {"jobs":[{"src":"/a","dest":"/b"}], "compress": bool, "multiArch": "all" | undefined}
import { copyImage } from '@skopeo-ts/core';
import { parseDirReference } from '../../dist/index.js';

const { jobs, compress, multiArch } = JSON.parse(process.argv[2]);
for (const job of jobs) {
  let reported = false;
  await copyImage(parseDirReference(job.src), parseDirReference(job.dest), {
    ...(multiArch ? { multiArch } : {}),
    destinationContext: compress ? { transportOptions: { dir: { compress: true } } } : {},
    progress: (event) => {
      if (event.kind === 'blob-progress' && !reported) {
        reported = true;
        process.stdout.write(`progress ${job.dest}\n`);
      }
    },
  });
  process.stdout.write(`done ${job.dest}\n`);
}
