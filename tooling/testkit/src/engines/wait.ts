// Waiting for a peer to serve, with its log in the error when it dies or never answers.
import type { PeerProcess } from '../process.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class EngineStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- log (last lines) ---\n${logTail}`);
    this.name = 'EngineStartError';
  }
}

/** Polls `probe` every 100 ms until it returns true; fails when the peer exits or time runs out. */
export async function waitUntilServing(
  name: string,
  peer: PeerProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (peer.hasExited()) {
      const { code, signal } = await peer.exited;
      throw new EngineStartError(
        `${name} exited (${signal ?? `code ${code}`}) before serving`,
        peer.logTail(),
      );
    }
    if (await probe()) return;
    await sleep(100);
  }
  throw new EngineStartError(`${name} did not answer within ${timeoutMs} ms`, peer.logTail());
}
