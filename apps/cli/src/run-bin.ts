// runBin(): the process wiring of a `skopeo-ts` bin, shared by @skopeo-ts/cli's own bin and the
// bins of embedding packages (the batteries-included `skopeo-ts`):
// - Ctrl-C (or SIGTERM) aborts the running operation so that transports can remove what they
//   started; a second one exits at once (status 130).
// - A reader that went away (`skopeo-ts inspect --raw … | head -c 10`): exit 141, as a Go program
//   killed by SIGPIPE would, without a stack trace.
// - If the event loop runs dry while the command is still pending (a plugin that forgot to settle
//   a promise), Node would exit with status 13 and a cryptic warning: say what happened instead.
// - Exit once stdout and stderr have taken what was written (pipes may still hold output).
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { type MainOptions, main as cliMain } from './main.js';

export interface RunBinOptions extends Omit<MainOptions, 'signal'> {
  /**
   * Runs one command and resolves to its exit status. Default: @skopeo-ts/cli's `main`. An
   * embedder passes its own (e.g. one that bundles plugins); it gets the other options given here
   * plus the `signal` that Ctrl-C aborts.
   */
  main?: (argv: readonly string[], options: MainOptions) => Promise<number>;
  /** The command's arguments. Default: `process.argv.slice(2)`. */
  argv?: readonly string[];
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Exit status after a signal, as shells report it for SIGINT. */
const INTERRUPTED_STATUS = 130;
/** Exit status of a process killed by SIGPIPE (128 + 13). */
const BROKEN_PIPE_STATUS = 141;

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve();
      return;
    }
    stream.write('', () => resolve());
  });
}

/**
 * Runs the command line of this process (`process.argv`) as a `skopeo-ts` bin and exits with its
 * status; never returns. Call it once, from the bin's entry file:
 *
 * ```ts
 * #!/usr/bin/env node
 * import { runBin } from '@skopeo-ts/cli';
 * await runBin({ main: myMain });
 * ```
 */
/**
 * libuv's thread pool (file I/O and the copy engine's parallel gzip) has 4 threads unless
 * UV_THREADPOOL_SIZE says otherwise; it is created on first use, so a bin can still size it to the
 * machine: one thread per core for compression, plus one for file I/O. A value the user set wins.
 */
function sizeThreadPool(): void {
  if (process.env.UV_THREADPOOL_SIZE !== undefined) return;
  const wanted = availableParallelism() + 1;
  if (wanted > 4) process.env.UV_THREADPOOL_SIZE = String(Math.min(wanted, 64));
}

/**
 * undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it with Liftoff, then
 * recompiles hot functions with TurboFan on a worker thread, and a process exit waits for those
 * jobs: measured here, ~170 ms of a 0.55 s no-op push went to that wait, and Liftoff code parses
 * as fast for our traffic (bodies dominate). Set before any wasm is compiled; bins only, never in
 * a library, where the process's V8 flags are the embedder's.
 */
function keepWasmOnLiftoff(): void {
  setFlagsFromString('--liftoff-only');
}

export async function runBin(options: RunBinOptions = {}): Promise<never> {
  const { main = cliMain, argv = process.argv.slice(2), ...mainOptions } = options;
  sizeThreadPool();
  keepWasmOnLiftoff();

  // Set once the command has finished or the bin exits on purpose (second Ctrl-C, broken pipe):
  // the "unsettled" message below is only for Node running out of things to wait for.
  let settled = false;
  const exit = (status: number): never => {
    settled = true;
    return process.exit(status);
  };

  const controller = new AbortController();
  let interrupted = false;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (interrupted) exit(INTERRUPTED_STATUS);
      interrupted = true;
      controller.abort(new Error(`interrupted by ${signal}`));
    });
  }

  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') exit(BROKEN_PIPE_STATUS);
      throw error;
    });
  }

  process.once('exit', () => {
    if (settled) return;
    process.stderr.write(
      'skopeo-ts: error: the operation stopped before finishing: nothing was left to wait for (a transport plugin left a promise unsettled)\n',
    );
    process.exitCode = 1;
  });

  let status: number;
  try {
    status = await main(argv, { ...mainOptions, signal: controller.signal });
  } catch (error) {
    // main() reports errors itself and resolves to a status; an embedder's may not.
    const text = error instanceof Error ? error.message : String(error);
    const stack = argv.includes('--debug') && error instanceof Error ? `\n${error.stack}` : '';
    process.stderr.write(`skopeo-ts: error: ${text}${stack}\n`);
    status = 1;
  }
  settled = true;
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  return exit(interrupted && status !== 0 ? INTERRUPTED_STATUS : status);
}
