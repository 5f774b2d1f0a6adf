// Copy progress on a terminal: skopeo's bars, one line per blob redrawn in place —
// "Copying blob 1a2b3c4d5e6f [=====>    ] 12.5MiB / 160.0MiB | 45.2 MiB/s", then "done" or
// "skipped: already exists". Messages print above the bars; a message closes the current set.
import type { ProgressEvent } from '@skopeo-ts/core';
import type { OutputStream } from '../app.js';
import type { ProgressRenderer } from './renderer.js';
import { formatBytes, formatSpeed, shortDigest, SpeedMeter } from './units.js';

const BAR_WIDTH = 24;
const REDRAW_MS = 150;

interface Bar {
  digest: string;
  label: string;
  size: number;
  bytes: number;
  state: 'copying' | 'done' | 'skipped';
  reason: string;
  speed: SpeedMeter;
}

export class TtyProgress implements ProgressRenderer {
  private bars: Bar[] = [];
  private drawnLines = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: OutputStream,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.redraw(), REDRAW_MS);
    this.timer.unref();
  }

  handle(event: ProgressEvent): void {
    switch (event.kind) {
      case 'message':
        this.settle();
        this.out.write(`${event.message ?? ''}\n`);
        break;
      case 'blob-start':
      case 'blob-skipped': {
        const digest = event.digest ?? '';
        const bar: Bar = {
          digest,
          label: `Copying ${event.isConfig ? 'config' : 'blob'} ${shortDigest(digest)}`,
          size: event.size ?? -1,
          bytes: 0,
          state: event.kind === 'blob-skipped' ? 'skipped' : 'copying',
          reason: event.reason ?? 'already exists',
          speed: new SpeedMeter(),
        };
        bar.speed.add(this.now(), 0);
        this.bars.push(bar);
        this.redraw();
        break;
      }
      case 'blob-progress': {
        const bar = this.find(event.digest);
        if (bar && event.bytes !== undefined) {
          bar.bytes = event.bytes;
          bar.speed.add(this.now(), event.bytes);
        }
        break;
      }
      case 'blob-done': {
        const bar = this.find(event.digest);
        if (bar) {
          bar.state = 'done';
          if (event.bytes !== undefined) bar.bytes = event.bytes;
        }
        this.redraw();
        break;
      }
      default:
        break;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.settle();
  }

  private find(digest: string | undefined): Bar | undefined {
    for (let i = this.bars.length - 1; i >= 0; i--) {
      const bar = this.bars[i] as Bar;
      if (bar.digest === digest && bar.state === 'copying') return bar;
    }
    return undefined;
  }

  /** Draws the bars one last time and leaves them on screen. */
  private settle(): void {
    this.redraw();
    this.bars = [];
    this.drawnLines = 0;
  }

  private line(bar: Bar): string {
    if (bar.state === 'skipped') return `${bar.label} skipped: ${bar.reason}`;
    if (bar.state === 'done') return `${bar.label} done`;
    if (bar.size <= 0)
      return `${bar.label} ${formatBytes(bar.bytes)} | ${formatSpeed(bar.speed.perSecond())}`;
    const ratio = Math.min(1, bar.bytes / bar.size);
    const filled = Math.floor(ratio * BAR_WIDTH);
    const body =
      filled >= BAR_WIDTH
        ? '='.repeat(BAR_WIDTH)
        : `${'='.repeat(filled)}>${'-'.repeat(BAR_WIDTH - filled - 1)}`;
    return `${bar.label} [${body}] ${formatBytes(bar.bytes)} / ${formatBytes(bar.size)} | ${formatSpeed(bar.speed.perSecond())}`;
  }

  private redraw(): void {
    if (this.bars.length === 0) return;
    // Lines longer than the terminal would wrap and break the cursor arithmetic.
    const columns = this.out.columns !== undefined && this.out.columns > 0 ? this.out.columns : 80;
    const width = Math.max(20, columns - 1);
    let text = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    for (const bar of this.bars) text += `\r\x1b[2K${this.line(bar).slice(0, width)}\n`;
    this.out.write(text);
    this.drawnLines = this.bars.length;
  }
}
