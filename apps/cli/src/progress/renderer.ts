// A copy progress display: gets core's progress events, and is closed when the copy ends.
import type { ProgressEvent } from '@skopeo-ts/core';

export interface ProgressRenderer {
  handle(event: ProgressEvent): void;
  /** Draws the final state and stops any timer. */
  close(): void;
}
