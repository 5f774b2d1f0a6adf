// The engine's answer to an image load: JSON lines, an error line even under status 200.
import { Readable } from 'node:stream';
import type { ProgressEvent } from '@skopeo-ts/core';
import { describe, expect, it } from 'vitest';
import { readLoadOutcome } from '../src/engine/load-progress.js';

const lines = (...values: string[]) => Readable.from(values.map((value) => Buffer.from(value)));

describe('image load answers', () => {
  it('forwards what the engine says and records what it loaded, across chunk boundaries', async () => {
    const events: ProgressEvent[] = [];
    const outcome = await readLoadOutcome(
      lines(
        '{"status":"Loading layer","progressDetail":{"current":1,"total":2},"id":"abc"}\n{"stream":"Loaded ',
        'image: localhost/app:v1\\n"}\n',
      ),
      (event) => events.push(event),
    );
    expect(outcome).toEqual({ error: undefined, loaded: ['Loaded image: localhost/app:v1'] });
    expect(events).toEqual([{ kind: 'message', message: 'Loaded image: localhost/app:v1' }]);
  });

  it('takes errorDetail (or error) as the failure, even without a trailing newline', async () => {
    expect(
      (
        await readLoadOutcome(
          lines('{"errorDetail":{"message":"invalid tar header"},"error":"invalid tar header"}'),
          undefined,
        )
      ).error,
    ).toBe('invalid tar header');
    expect((await readLoadOutcome(lines('{"error":"no space left"}\n'), undefined)).error).toBe(
      'no space left',
    );
  });
});
