// What every started engine (dockerd, podman's service) gives a test.
import { readdirSync, readFileSync } from 'node:fs';
import type { EngineClient } from './api-client.js';

export interface RunningEngine {
  readonly kind: 'dockerd' | 'podman';
  /** The engine's unix socket. */
  readonly socketPath: string;
  /** `unix://SOCKET`, as DOCKER_HOST or --daemon-host take it. */
  readonly host: string;
  /** An API client on the socket. */
  readonly client: EngineClient;
  readonly pid: number;
  /** Temp directory holding the engine's state, socket and log; removed on stop. */
  readonly stateDir: string;
  logTail(lines?: number): string;
  /** Stops the engine (and its helpers), unmounts what it left and removes its state; safe twice. */
  stop(): Promise<void>;
}

/** Pids of live processes whose command line mentions `needle` (zombies excluded). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${name}/status`, 'utf8'))) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** SIGKILLs every process still mentioning `needle` (e.g. a containerd whose dockerd died). */
export function killProcessesMentioning(needle: string): void {
  for (const pid of processesMentioning(needle)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
