#!/usr/bin/env node
// The `skopeo-ts` bin of the batteries-included package: @skopeo-ts/cli's command with every
// first-party transport bundled. The process wiring is the same as @skopeo-ts/cli's own bin.
import { main } from './index.js';

// Ctrl-C (or SIGTERM) aborts the running operation so that transports can remove what they
// started; a second one exits at once.
const controller = new AbortController();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort(new Error(`interrupted by ${signal}`));
  });
}

// A reader that went away (`skopeo-ts inspect --raw … | head -c 10`): stop quietly, as skopeo does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(141);
    throw error;
  });
}

// A plugin that leaves a promise unsettled would make Node exit with status 13 and a cryptic
// warning: say what happened instead.
let settled = false;
process.once('exit', () => {
  if (settled) return;
  process.stderr.write(
    'skopeo-ts: error: the operation stopped before finishing: nothing was left to wait for (a transport plugin left a promise unsettled)\n',
  );
  process.exitCode = 1;
});

const status = await main(process.argv.slice(2), { signal: controller.signal });
settled = true;
// Exit once both streams have taken what was written (pipes may still hold output).
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))),
);
process.exit(interrupted && status !== 0 ? 130 : status);
