// Runs one process and measures its wall time, peak RSS and CPU time.
//
// Node cannot report a child's rusage: spawn()/spawnSync() give no RSS, and process.resourceUsage()
// in a wrapper covers only the wrapper itself. Two reliable ways remain:
// - `time`: GNU time (Debian package `time`) runs the command and prints wait4()'s rusage:
//   %M = ru_maxrss (the kernel's own peak RSS of the process), %U/%S = user/system CPU seconds.
// - `proc`: poll /proc/PID/status VmHWM (the kernel's RSS high-water mark, monotonic) and
//   /proc/PID/stat utime/stime every few milliseconds until the process exits. It can miss only
//   growth in the last poll interval and needs no extra package.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';

export type RssMethod = 'time' | 'proc';

export const GNU_TIME = '/usr/bin/time';

export interface Measured {
  wallSeconds: number;
  /** Peak resident set size of the process, bytes. */
  peakRssBytes: number | undefined;
  /** User + system CPU seconds of the process. */
  cpuSeconds: number | undefined;
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  method: RssMethod;
  timeoutMs?: number;
}

/** Whether /usr/bin/time is GNU time (BSD/busybox time lack -f/-o). */
export function gnuTimeAvailable(): boolean {
  if (!existsSync(GNU_TIME)) return false;
  const probe = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
  return `${probe.stdout}${probe.stderr}`.includes('GNU');
}

export function describeRssMethod(method: RssMethod): string {
  return method === 'time'
    ? 'GNU time `%M` (ru_maxrss from wait4) and `%U`+`%S` CPU seconds'
    : '/proc/PID/status VmHWM and /proc/PID/stat utime+stime, polled every 10 ms';
}

// Children still running are killed with us, whatever ends this process.
const running = new Set<ChildProcess>();
let handlersInstalled = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Live (not zombie) processes of process group `pgid`, from /proc. */
function groupAlive(pgid: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return false;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state, fields[2] the process group
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

/**
 * SIGKILLs every running child's process group (each child leads its own: this also reaches the
 * command GNU time runs) and waits, briefly, until they are dead, so that removing their temp
 * dirs next does not race with their last writes. Synchronous: it runs in exit handlers.
 */
function killRunning(): void {
  const groups: number[] = [];
  for (const child of running) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
      groups.push(child.pid);
    } catch {
      // already gone
    }
  }
  running.clear();
  const deadline = Date.now() + 2000;
  while (groups.some(groupAlive) && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  killRunning();
  for (const other of SIGNALS) process.off(other, onSignal);
  // Other listeners (the testkit's temp-dir cleanup) re-raise the signal once they ran; if none is
  // left, do it ourselves so we die of it as we would have.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * Kills our copy processes when the bench ends, whatever ends it. Call it before anything makes a
 * testkit temp dir, so that on a signal the processes die before the testkit removes their dirs.
 */
export function installChildCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', killRunning);
  for (const signal of SIGNALS) process.once(signal, onSignal);
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function readProc(pid: number): { hwm?: number; cpu?: number } {
  const out: { hwm?: number; cpu?: number } = {};
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (match?.[1]) out.hwm = Number(match[1]) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (Number.isFinite(utime) && Number.isFinite(stime)) out.cpu = (utime + stime) / CLOCK_TICKS;
  } catch {
    // gone (or a zombie without Vm* lines)
  }
  return out;
}

export async function runMeasured(
  command: string,
  args: readonly string[],
  options: MeasureOptions,
): Promise<Measured> {
  installChildCleanup();
  let timeFile: string | undefined;
  let file = command;
  let argv = [...args];
  // A tracked temp dir: removed at exit even when a signal ends the bench mid-run.
  let timeDir: TempDir | undefined;
  if (options.method === 'time') {
    timeDir = await makeTempDir('skopeo-ts-bench-time');
    timeFile = join(timeDir.path, 'rusage');
    file = GNU_TIME;
    argv = ['-f', '%M %U %S', '-o', timeFile, '--', command, ...args];
  }
  try {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let peak: number | undefined;
    let cpu: number | undefined;
    let poller: NodeJS.Timeout | undefined;
    if (options.method === 'proc' && child.pid !== undefined) {
      const pid = child.pid;
      const poll = () => {
        const sample = readProc(pid);
        if (sample.hwm !== undefined) peak = Math.max(peak ?? 0, sample.hwm);
        if (sample.cpu !== undefined) cpu = sample.cpu;
      };
      poll();
      poller = setInterval(poll, 10);
    }
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          }, options.timeoutMs);
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
      },
    );
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    running.delete(child);
    if (poller) clearInterval(poller);
    if (timer) clearTimeout(timer);
    if (timeFile !== undefined) {
      // GNU time writes "Command exited with non-zero status N" first when the command failed.
      const lines = (await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n');
      const [maxrssKb, user, system] = (lines.at(-1) ?? '').trim().split(/\s+/).map(Number);
      if (maxrssKb !== undefined && Number.isFinite(maxrssKb)) peak = maxrssKb * 1024;
      if (user !== undefined && system !== undefined && Number.isFinite(user + system)) cpu = user + system;
    }
    return {
      wallSeconds,
      peakRssBytes: peak,
      cpuSeconds: cpu,
      exitCode: code ?? -1,
      signal,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr).toString('utf8'),
    };
  } finally {
    await timeDir?.cleanup();
  }
}
