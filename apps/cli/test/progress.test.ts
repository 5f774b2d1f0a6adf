// The copy progress displays, fed with core's progress events.
import type { ProgressEvent } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import { JsonProgress } from '../src/progress/json.js';
import { PlainProgress } from '../src/progress/plain.js';
import { TtyProgress } from '../src/progress/tty.js';
import { formatBytes, formatSpeed } from '../src/progress/units.js';

const LAYER = `sha256:${'1a2b3c4d5e6f'.padEnd(64, '0')}`;
const CONFIG = `sha256:${'0f1e2d3c4b5a'.padEnd(64, '9')}`;
const CACHED = `sha256:${'abcdefabcdef'.padEnd(64, '7')}`;

function sink(isTTY: boolean) {
  let text = '';
  return {
    out: {
      isTTY,
      columns: 120,
      write: (chunk: string | Uint8Array) => {
        text += String(chunk);
        return true;
      },
    },
    text: () => text,
  };
}

function copyEvents(): ProgressEvent[] {
  return [
    { kind: 'message', message: 'Getting image source signatures' },
    { kind: 'blob-skipped', digest: CACHED, isConfig: false, size: 10, reason: 'already exists' },
    { kind: 'blob-start', digest: LAYER, isConfig: false, size: 10 * 1024 * 1024 },
    { kind: 'blob-progress', digest: LAYER, isConfig: false, size: 10 * 1024 * 1024, bytes: 5 * 1024 * 1024 },
    { kind: 'blob-done', digest: LAYER, isConfig: false, size: 10 * 1024 * 1024, bytes: 10 * 1024 * 1024 },
    { kind: 'blob-start', digest: CONFIG, isConfig: true, size: 300 },
    { kind: 'blob-done', digest: CONFIG, isConfig: true, size: 300, bytes: 300 },
    { kind: 'message', message: 'Writing manifest to image destination' },
  ];
}

describe('progress', () => {
  it('off a terminal: skopeo lines, plus periodic byte counts for slow blobs', () => {
    const { out, text } = sink(false);
    let now = 0;
    const progress = new PlainProgress(out, 5000, () => now);
    const events = copyEvents();
    for (const event of events.slice(0, 4)) progress.handle(event);
    now = 6000;
    progress.reportSlowBlobs();
    for (const event of events.slice(4)) progress.handle(event);
    progress.close();
    expect(text()).toBe(
      [
        'Getting image source signatures',
        `Copying blob ${CACHED} skipped: already exists`,
        `Copying blob ${LAYER}`,
        '  blob 1a2b3c4d5e6f: 5.0MiB / 10.0MiB (50%)',
        `Copying config ${CONFIG}`,
        'Writing manifest to image destination',
        '',
      ].join('\n'),
    );
  });

  it('on a terminal: bars redrawn in place, left as "done" / "skipped"', async () => {
    const { out, text } = sink(true);
    const progress = new TtyProgress(out);
    const events = copyEvents();
    for (const event of events.slice(0, 4)) progress.handle(event);
    // Byte counts are drawn by the redraw timer, not on every event.
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const event of events.slice(4)) progress.handle(event);
    progress.close();
    const screen = text();
    expect(screen).toContain('Copying blob 1a2b3c4d5e6f [============>-----------] 5.0MiB / 10.0MiB');
    expect(screen).toContain('Copying blob abcdefabcdef skipped: already exists');
    expect(screen).toContain('Copying blob 1a2b3c4d5e6f done');
    expect(screen).toContain('Copying config 0f1e2d3c4b5a done');
    expect(screen).toContain('\x1b[2A'); // cursor moved up to redraw the two bars
    expect(screen.endsWith('Writing manifest to image destination\n')).toBe(true);
  });

  it('as JSON lines on request', () => {
    const { out, text } = sink(false);
    const progress = new JsonProgress(out, () => 0);
    for (const event of copyEvents()) progress.handle(event);
    const lines = text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; digest?: string });
    expect(lines.map((line) => line.event)).toEqual([
      'message',
      'blob-skipped',
      'blob-start',
      'blob-progress',
      'blob-done',
      'blob-start',
      'blob-done',
      'message',
    ]);
  });

  it('formats sizes and speeds as skopeo', () => {
    expect(formatBytes(512)).toBe('512.0b');
    expect(formatBytes(1536)).toBe('1.5KiB');
    expect(formatBytes(160 * 1024 * 1024)).toBe('160.0MiB');
    expect(formatSpeed(45.2 * 1024 * 1024)).toBe('45.2 MiB/s');
  });
});
