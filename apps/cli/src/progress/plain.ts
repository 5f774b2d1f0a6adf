// Copy progress off a terminal (CI logs, files): skopeo's lines — one per message and per blob —
// plus, for blobs that take a while, a byte count every few seconds so a log shows it is moving.
import type { ProgressEvent } from '@skopeo-ts/core';
import type { OutputStream } from '../app.js';
import type { ProgressRenderer } from './renderer.js';
import { formatBytes, shortDigest } from './units.js';

interface ActiveBlob {
  kind: string;
  size: number;
  bytes: number;
  started: number;
  reported: number;
}

export class PlainProgress implements ProgressRenderer {
  private readonly active = new Map<string, ActiveBlob>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: OutputStream,
    private readonly intervalMs = 5000,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.reportSlowBlobs(), Math.min(1000, intervalMs));
    this.timer.unref();
  }

  handle(event: ProgressEvent): void {
    const kind = event.isConfig ? 'config' : 'blob';
    switch (event.kind) {
      case 'message':
        this.out.write(`${event.message ?? ''}\n`);
        break;
      case 'blob-start': {
        this.out.write(`Copying ${kind} ${event.digest ?? ''}\n`);
        const now = this.now();
        this.active.set(event.digest ?? '', {
          kind,
          size: event.size ?? -1,
          bytes: 0,
          started: now,
          reported: now,
        });
        break;
      }
      case 'blob-skipped':
        this.out.write(
          `Copying ${kind} ${event.digest ?? ''} skipped: ${event.reason ?? 'already exists'}\n`,
        );
        break;
      case 'blob-progress': {
        const blob = this.active.get(event.digest ?? '');
        if (blob && event.bytes !== undefined) blob.bytes = event.bytes;
        break;
      }
      case 'blob-done':
        this.active.delete(event.digest ?? '');
        break;
      default:
        break;
    }
  }

  /** One line per blob still copying after `intervalMs`, at most every `intervalMs`. */
  reportSlowBlobs(): void {
    const now = this.now();
    for (const [digest, blob] of this.active) {
      if (now - blob.reported < this.intervalMs) continue;
      blob.reported = now;
      const total =
        blob.size > 0 ? ` / ${formatBytes(blob.size)} (${Math.floor((blob.bytes * 100) / blob.size)}%)` : '';
      this.out.write(`  ${blob.kind} ${shortDigest(digest)}: ${formatBytes(blob.bytes)}${total}\n`);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.active.clear();
  }
}
