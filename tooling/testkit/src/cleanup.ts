// Last-resort cleanup when the test process ends without running its own teardown (a failing
// beforeAll, an uncaught error, vitest ending a worker with SIGTERM): kill the peers we started
// and remove our temp dirs. Exit handlers must be synchronous, hence SIGKILL and rmSync.
import { rmSync } from 'node:fs';

const processes = new Set<number>();
const directories = new Set<string>();
let installed = false;

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runExitCleanup);
  for (const signal of SIGNALS) process.once(signal, onSignal);
}

/**
 * A listener for a signal replaces its default action (dying), so after cleaning up we re-raise
 * the signal when nobody else listens, and the process dies of it as it would have.
 */
function onSignal(signal: NodeJS.Signals): void {
  runExitCleanup();
  for (const other of SIGNALS) process.off(other, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function runExitCleanup(): void {
  for (const pid of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  processes.clear();
  if (keepTempDirs()) return;
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  directories.clear();
}

/** SKOPEO_TS_KEEP_TMP=1 keeps temp dirs for a post-mortem of a failing test. */
export function keepTempDirs(): boolean {
  return process.env.SKOPEO_TS_KEEP_TMP === '1';
}

export function trackProcess(pid: number): void {
  install();
  processes.add(pid);
}

export function untrackProcess(pid: number): void {
  processes.delete(pid);
}

export function trackDirectory(path: string): void {
  install();
  directories.add(path);
}

export function untrackDirectory(path: string): void {
  directories.delete(path);
}
