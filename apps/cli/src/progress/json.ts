// Machine-readable copy progress (`--progress json`): one JSON object per line on stderr for every
// message and blob event; byte counts at most once a second per blob.
import type { ProgressEvent } from '@skopeo-ts/core';
import type { OutputStream } from '../app.js';
import type { ProgressRenderer } from './renderer.js';

export class JsonProgress implements ProgressRenderer {
  private readonly lastProgress = new Map<string, number>();

  constructor(
    private readonly out: OutputStream,
    private readonly now: () => number = Date.now,
  ) {}

  handle(event: ProgressEvent): void {
    const now = this.now();
    if (event.kind === 'blob-progress') {
      const key = event.digest ?? '';
      const last = this.lastProgress.get(key);
      if (last !== undefined && now - last < 1000) return;
      this.lastProgress.set(key, now);
    }
    const { kind, ...fields } = event;
    this.out.write(`${JSON.stringify({ time: new Date(now).toISOString(), event: kind, ...fields })}\n`);
  }

  close(): void {
    this.lastProgress.clear();
  }
}
