// Long-running peer processes: spawned so they die with us, logged to a file, stopped politely.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { trackProcess, untrackProcess } from './cleanup.js';
import { findPeer } from './peers.js';

export interface PeerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves with the exit code (or signal) once the process has been reaped. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** Last lines of the combined stdout/stderr log. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once reaped. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `command args` with stdout and stderr appended to `logPath`. Under util-linux's setpriv
 * the kernel sends SIGKILL to the peer when our process dies, even by SIGKILL, where no exit
 * handler runs; the exit handler covers the rest.
 */
export function spawnPeer(
  command: string,
  args: readonly string[],
  options: { logPath: string; env?: NodeJS.ProcessEnv; cwd?: string },
): PeerProcess {
  const log = openSync(options.logPath, 'a');
  const setpriv = findPeer('setpriv');
  const [file, argv] =
    setpriv === undefined ? [command, [...args]] : [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]];
  let child: ChildProcess;
  try {
    child = spawn(file, argv, { stdio: ['ignore', log, log], env: options.env, cwd: options.cwd });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  trackProcess(pid);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      untrackProcess(pid);
      resolve({ code, signal });
    });
  });
  const logTail = (lines = 30): string => {
    let text: string;
    try {
      text = readFileSync(options.logPath, 'utf8');
    } catch {
      return '(no log)';
    }
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  };
  return {
    child,
    pid,
    logPath: options.logPath,
    exited,
    hasExited: () => done,
    logTail,
    async stop(graceMs = 5000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
