// A separate process that takes the lock with the built package (dist/), for tests that need
// real processes. argv[2] is JSON:
//   {"mode":"count","path":…,"counter":…,"marker":…,"rounds":N}: N times, under the lock, create
//     `marker` exclusively (fails if another process is inside), add 1 to the number in `counter`
//     (read, pause, write: lost updates show without the lock), remove `marker`.
//   {"mode":"hold","path":…}: take the lock, print "locked", release it when stdin ends.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { acquireFileLock, withFileLock } from '../../dist/index.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const job = JSON.parse(process.argv[2]);

if (job.mode === 'count') {
  for (let round = 0; round < job.rounds; round++) {
    await withFileLock(job.path, async () => {
      await writeFile(job.marker, String(process.pid), { flag: 'wx' });
      const count = Number(await readFile(job.counter, 'utf8').catch(() => '0'));
      await sleep(2);
      await writeFile(job.counter, String(count + 1));
      await rm(job.marker);
    });
  }
} else if (job.mode === 'hold') {
  const release = await acquireFileLock(job.path);
  process.stdout.write('locked\n');
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await release();
  process.stdout.write('released\n');
} else {
  throw new Error(`unknown mode ${job.mode}`);
}
