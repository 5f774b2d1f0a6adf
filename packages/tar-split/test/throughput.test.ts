// Generation and reassembly throughput over a 256 MiB tar that is streamed, never held whole;
// printed for the report, not asserted (the machine is shared).

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { deterministicBytes } from '@skopeo-ts/testkit';
import { pack as createPack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { assembleTar, readTarSplit, TarSplitGenerator } from '../src/index.js';
import { Collector } from './helpers.js';

const FILES = 64;
const FILE_SIZE = 4 * 1024 * 1024;
const content = deterministicBytes('throughput', FILE_SIZE);

function streamedTar(): Readable {
  const pack = createPack();
  (async () => {
    for (let i = 0; i < FILES; i++) {
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: `file-${i}`, size: FILE_SIZE }, content, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    }
    pack.finalize();
  })().catch((error: Error) => pack.destroy(error));
  return pack as unknown as Readable;
}

function discard(): Writable & { bytes: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

describe('throughput', () => {
  it('generates and reassembles at a useful rate', async () => {
    const output = new Collector();
    const passthrough = discard();
    let started = process.hrtime.bigint();
    await pipeline(streamedTar(), new TarSplitGenerator({ output }), passthrough);
    const generateSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const rebuilt = discard();
    started = process.hrtime.bigint();
    await pipeline(
      assembleTar(readTarSplit(Readable.from([output.bytes])), () => ({
        stream: Readable.from([content]),
        size: FILE_SIZE,
      })),
      rebuilt,
    );
    const assembleSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Again, with every member's content read by a handler (as an untar would).
    let handled = 0;
    started = process.hrtime.bigint();
    await pipeline(
      streamedTar(),
      new TarSplitGenerator({
        output: new Collector(),
        onMember: async (member) => {
          for await (const chunk of member.content) handled += (chunk as Buffer).length;
        },
      }),
      discard(),
    );
    const handlerSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(handled).toBe(FILES * FILE_SIZE);
    const mb = passthrough.bytes / 1e6;
    console.log(
      `tar-split over ${mb.toFixed(0)} MB: generate ${(mb / generateSeconds).toFixed(0)} MB/s ` +
        `(tar-stream producing the tar included), with a content handler ${(mb / handlerSeconds).toFixed(0)} MB/s, ` +
        `reassemble ${(mb / assembleSeconds).toFixed(0)} MB/s`,
    );
    expect(rebuilt.bytes).toBe(passthrough.bytes);
  });
});
