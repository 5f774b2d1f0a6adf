import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressor } from './compression.js';
import { createParallelGzip, type ParallelGzipOptions, parallelGzipJobs } from './parallel-gzip.js';

const BLOCK = 64 * 1024;

/** Half random, half repetitive bytes: like a layer, some of it compresses and some does not. */
function layerLike(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = (i >> 12) % 2 === 0 ? state & 0xff : 0x61 + (i % 7);
  }
  return out;
}

async function compress(
  input: Buffer,
  chunks: number[] = [],
  options: ParallelGzipOptions = {},
): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let at = 0;
  for (const size of chunks) {
    if (at >= input.length) break;
    pieces.push(input.subarray(at, at + size));
    at += size;
  }
  if (at < input.length || input.length === 0) pieces.push(input.subarray(at));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces, { objectMode: false }),
    createParallelGzip({ blockSize: BLOCK, ...options }),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

/** One gzip member: the body is one deflate stream that holds all the input, then the trailer. */
function expectSingleMember(gz: Buffer, input: Buffer): void {
  expect(gz.subarray(0, 4).toString('hex')).toBe('1f8b0800');
  // (Buffer.equals: vitest's deep equality is far too slow on megabytes.)
  expect(inflateRawSync(gz.subarray(10, gz.length - 8)).equals(input)).toBe(true);
  expect(gz.readUInt32LE(gz.length - 4)).toBe(input.length % 2 ** 32);
  expect(gunzipSync(gz).equals(input)).toBe(true);
}

function expectSame(a: Buffer, b: Buffer): void {
  expect(a.length).toBe(b.length);
  expect(a.equals(b)).toBe(true);
}

function closed(stream: NodeJS.EventEmitter & { closed: boolean }): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}

describe('parallel gzip', { timeout: 60_000 }, () => {
  it.each([0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 7 * BLOCK + 12345])(
    'round-trips %i bytes as one gzip member',
    async (size) => {
      const input = layerLike(size, size + 1);
      const gz = await compress(input, [1000, 70000, 3]);
      expectSingleMember(gz, input);
    },
  );

  it('round-trips incompressible data and data whose matches cross block boundaries', async () => {
    const random = randomBytes(3 * BLOCK + 17);
    expectSingleMember(await compress(random), random);
    // The same random 20 KiB over and over, across block boundaries: blocks are deflated on their
    // own (unprimed), so each starts with up to 20 KiB of literals, and matches stay in a block.
    const repeated = Buffer.concat(Array.from({ length: 22 }, () => random.subarray(0, 20 * 1024)));
    const gz = await compress(repeated);
    expectSingleMember(gz, repeated);
    const blocks = Math.ceil(repeated.length / BLOCK);
    expect(gz.length).toBeLessThan(blocks * 21 * 1024);
  });

  it('is accepted by gzip -t', async () => {
    const input = layerLike(5 * BLOCK + 999, 7);
    const gz = await compress(input);
    const result = spawnSync('gzip', ['-t'], { input: gz });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    const listed = spawnSync('gzip', ['-dc'], { input: gz, maxBuffer: 64 * 1024 * 1024 });
    expect(listed.stdout.equals(input)).toBe(true);
  });

  it('writes the same bytes for the same input, however it is chunked', async () => {
    const input = layerLike(6 * BLOCK + 321, 3);
    const whole = await compress(input);
    expectSame(await compress(input), whole);
    expectSame(
      await compress(
        input,
        Array.from({ length: 400 }, (_, i) => 1 + ((i * 7919) % 5000)),
      ),
      whole,
    );
    expectSame(await compress(input, [BLOCK, BLOCK, BLOCK]), whole);
    // Another level gives other bytes, also deterministically.
    const level6 = await compress(input, [], { level: 6 });
    expect(level6.equals(whole)).toBe(false);
    expectSame(await compress(input, [10_000], { level: 6 }), level6);
  });

  it('round-trips any input, chunked any way (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 * BLOCK + 10 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.integer({ min: 1, max: 2 * BLOCK }), { maxLength: 20 }),
        fc.constantFrom(1, 3, 6),
        async (size, seed, chunks, level) => {
          const input = layerLike(size, seed);
          const gz = await compress(input, chunks, { level });
          expectSingleMember(gz, input);
          expectSame(await compress(input, [], { level }), gz);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('holds a bounded window of blocks when the reader does not read', async () => {
    let produced = 0;
    const source = new Readable({
      read() {
        produced += BLOCK;
        // Incompressible, so the output buffered downstream is as large as the input it came from.
        this.push(randomBytes(BLOCK));
      },
    });
    const gzip = createParallelGzip({ blockSize: BLOCK, window: 4 });
    source.pipe(gzip);
    // Wait until the source has stopped being asked for more (slow machines take a while).
    let seen = -1;
    for (let i = 0; i < 100 && produced !== seen; i++) {
      seen = produced;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(produced).toBe(seen);
    // Twice the window (one may be compressing while the readable side fills up) + the readable
    // side's buffer (1 MiB = 16 blocks) + the writable and source buffers (a block each at most).
    expect(produced).toBeLessThanOrEqual((2 * 4 + 16 + 2) * BLOCK);
    source.destroy();
    gzip.destroy();
    await closed(gzip);
  });

  it('leaves no deflate job behind when destroyed mid-stream', async () => {
    const gzip = createParallelGzip({ blockSize: BLOCK, window: 8 });
    gzip.on('error', () => {});
    gzip.resume();
    for (let i = 0; i < 8; i++) gzip.write(layerLike(BLOCK, i + 1));
    expect(parallelGzipJobs().active + parallelGzipJobs().waiting).toBeGreaterThan(0);
    gzip.destroy(new Error('stop'));
    await closed(gzip);
    expect(parallelGzipJobs()).toEqual({ active: 0, waiting: 0 });
  });

  it('stops with the pipeline when its signal aborts', async () => {
    const controller = new AbortController();
    let sent = 0;
    const source = new Readable({
      read() {
        sent++;
        if (sent === 5) controller.abort();
        this.push(layerLike(BLOCK, sent));
      },
    });
    const gzip = createParallelGzip({ blockSize: BLOCK });
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    });
    await expect(pipeline(source, gzip, sink, { signal: controller.signal })).rejects.toThrow(/abort/i);
    await closed(gzip);
    expect(parallelGzipJobs()).toEqual({ active: 0, waiting: 0 });
  });

  it('shares one cap on running jobs among many streams, each of which completes', async () => {
    const cap = Math.max(
      1,
      Math.min(availableParallelism(), (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1),
    );
    let most = 0;
    const timer = setInterval(() => {
      most = Math.max(most, parallelGzipJobs().active);
    }, 1);
    try {
      const inputs = Array.from({ length: 6 }, (_, i) => layerLike(5 * BLOCK + i * 1000, i + 11));
      const outputs = await Promise.all(inputs.map((input) => compress(input, [30_000])));
      outputs.forEach((gz, i) => {
        expectSingleMember(gz, inputs[i]!);
      });
    } finally {
      clearInterval(timer);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(cap);
    expect(parallelGzipJobs()).toEqual({ active: 0, waiting: 0 });
  });

  it('rejects levels and block sizes zlib cannot use, with a clear error', () => {
    expect(() => createParallelGzip({ level: 10 })).toThrow(/gzip level must be an integer from 0 to 9/);
    expect(() => createParallelGzip({ blockSize: 100 })).toThrow(/block size must be at least 64 KiB/);
    expect(() => createParallelGzip({ window: 0 })).toThrow(/window must be at least one block/);
  });

  it('is what compressor("gzip") returns; zstd stays unsupported', async () => {
    const input = layerLike(3 * 1024 * 1024 + 5, 9);
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([input]),
      compressor('gzip'),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          out.push(chunk);
          callback();
        },
      }),
    );
    expectSingleMember(Buffer.concat(out), input);
    expect(() => compressor('zstd')).toThrow(/zstd is not supported yet/);
  });
});
