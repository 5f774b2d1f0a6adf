// The engine answers an image load with JSON lines: `{"stream": "Loaded image: …\n"}`,
// `{"status": …, "progressDetail": …}`, and on failure `{"errorDetail": {"message": …}, "error": …}`
// (with status 200: the status line went out before the load began). Read line by line, so a
// long progress stream is never held whole.
import type { Readable } from 'node:stream';
import type { ProgressSink } from '@skopeo-ts/core';

const MAX_LINE = 1024 * 1024;

interface LoadMessage {
  stream?: unknown;
  status?: unknown;
  progressDetail?: unknown;
  error?: unknown;
  errorDetail?: { message?: unknown };
}

export interface LoadOutcome {
  /** The engine's error message, when it refused the image. */
  error: string | undefined;
  /** What it said it loaded (`Loaded image: NAME:TAG`, `Loaded image ID: sha256:…`). */
  loaded: string[];
}

function handleLine(line: string, outcome: LoadOutcome, progress: ProgressSink | undefined): void {
  const trimmed = line.trim();
  if (trimmed === '') return;
  let message: LoadMessage;
  try {
    message = JSON.parse(trimmed) as LoadMessage;
  } catch {
    // Not JSON (an old engine, a proxy page): keep it as text for the error, if one comes.
    progress?.({ kind: 'message', message: trimmed });
    return;
  }
  const error =
    typeof message.errorDetail?.message === 'string'
      ? message.errorDetail.message
      : typeof message.error === 'string'
        ? message.error
        : undefined;
  if (error !== undefined) {
    outcome.error ??= error;
    return;
  }
  if (typeof message.stream === 'string' && message.stream.trim() !== '') {
    const text = message.stream.trim();
    if (text.startsWith('Loaded image')) outcome.loaded.push(text);
    progress?.({ kind: 'message', message: text });
  } else if (typeof message.status === 'string' && message.progressDetail === undefined) {
    progress?.({ kind: 'message', message: message.status });
  }
}

export async function readLoadOutcome(
  body: Readable,
  progress: ProgressSink | undefined,
): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { error: undefined, loaded: [] };
  let pending = '';
  for await (const chunk of body) {
    pending += (chunk as Buffer).toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      handleLine(pending.slice(0, newline), outcome, progress);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    if (pending.length > MAX_LINE) pending = pending.slice(-MAX_LINE);
  }
  handleLine(pending, outcome, progress);
  return outcome;
}
