// A reader/writer turn per key within this process: readers share, a writer is alone, and
// waiters are served in arrival order (a waiting writer holds back later readers).
import type { LockKind } from './lock-file.js';

interface Waiter {
  kind: LockKind;
  grant: () => void;
}

interface Turns {
  readers: number;
  writer: boolean;
  waiting: Waiter[];
}

const byKey = new Map<string, Turns>();

function pump(key: string, turns: Turns): void {
  while (turns.waiting.length > 0 && !turns.writer) {
    const next = turns.waiting[0] as Waiter;
    if (next.kind === 'write' && turns.readers > 0) break;
    turns.waiting.shift();
    if (next.kind === 'write') turns.writer = true;
    else turns.readers++;
    next.grant();
    if (next.kind === 'write') break;
  }
  if (turns.readers === 0 && !turns.writer && turns.waiting.length === 0) byKey.delete(key);
}

/** Resolves when this process may take `kind` on `key`; call the returned function to leave. */
export async function takeTurn(key: string, kind: LockKind): Promise<() => void> {
  let turns = byKey.get(key);
  if (turns === undefined) {
    turns = { readers: 0, writer: false, waiting: [] };
    byKey.set(key, turns);
  }
  const state = turns;
  await new Promise<void>((grant) => {
    state.waiting.push({ kind, grant });
    pump(key, state);
  });
  let left = false;
  return () => {
    if (left) return;
    left = true;
    if (kind === 'write') state.writer = false;
    else state.readers--;
    pump(key, state);
  };
}
