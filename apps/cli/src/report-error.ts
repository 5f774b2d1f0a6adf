// How a failed command ends: `skopeo-ts: error: <message>`, the hint line when the error has one,
// and with --debug the stack and causes; the exit status follows skopeo (2: image not found).
// Core is imported here only when something failed, to keep start-up small.
import type { OutputStream } from './app.js';

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export async function reportError(error: unknown, stderr: OutputStream, debug: boolean): Promise<number> {
  const { exitCodeFor, isSkopeoError } = await import('@skopeo-ts/core');
  stderr.write(`skopeo-ts: error: ${messageOf(error)}\n`);
  if (isSkopeoError(error) && error.hint) stderr.write(`skopeo-ts: hint: ${error.hint}\n`);
  if (debug) {
    let current: unknown = error;
    for (let depth = 0; current !== undefined && depth < 8; depth++) {
      if (current instanceof Error && current.stack)
        stderr.write(`${depth === 0 ? '' : 'caused by: '}${current.stack}\n`);
      current = current instanceof Error ? current.cause : undefined;
    }
  }
  return exitCodeFor(error);
}
