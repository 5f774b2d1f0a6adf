// Picks the progress display: bars on a terminal, plain lines elsewhere, JSON lines on request.
import type { OutputStream } from '../app.js';
import { JsonProgress } from './json.js';
import { PlainProgress } from './plain.js';
import type { ProgressRenderer } from './renderer.js';
import { TtyProgress } from './tty.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json';

export function createProgress(mode: ProgressMode, out: OutputStream): ProgressRenderer {
  switch (mode) {
    case 'json':
      return new JsonProgress(out);
    case 'tty':
      return new TtyProgress(out);
    case 'plain':
      return new PlainProgress(out);
    case 'auto':
      return out.isTTY ? new TtyProgress(out) : new PlainProgress(out);
  }
}
