// A failing deflate job (zlib out of memory, say) must end the stream with an error that says what
// failed, and leave no job behind.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it, vi } from 'vitest';
import { createParallelGzip, isSkopeoError, parallelGzipJobs } from '../src/index.js';

let calls = 0;

vi.mock('node:zlib', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:zlib')>();
  return {
    ...actual,
    deflateRaw: (input: Buffer, options: object, callback: (error: Error | null, out: Buffer) => void) => {
      calls++;
      if (calls === 3) {
        const error = Object.assign(new Error('out of memory'), { code: 'Z_MEM_ERROR', errno: -4 });
        setTimeout(() => callback(error, Buffer.alloc(0)), 5);
        return;
      }
      actual.deflateRaw(input, options, callback);
    },
  };
});

describe('parallel gzip when zlib fails', () => {
  it('fails the stream with a clear error and drains its jobs', async () => {
    const blocks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const flowing = pipeline(
      Readable.from(blocks),
      createParallelGzip({ blockSize: 64 * 1024 }),
      new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      }),
    );
    const error = await flowing.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isSkopeoError(error, 'INTERNAL')).toBe(true);
    expect((error as Error).message).toBe('gzip compression failed: out of memory');
    expect(((error as Error).cause as { code?: string }).code).toBe('Z_MEM_ERROR');
    await vi.waitFor(() => expect(parallelGzipJobs()).toEqual({ active: 0, waiting: 0 }));
  });
});
