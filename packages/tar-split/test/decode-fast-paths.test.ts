// The decoder's shortcuts (base64 checked by encoding it back, names that are clean already not
// cleaned again, lines split after decoding a whole chunk) decide exactly as the slow paths did.

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isTarSplitError, parseEntryLine, readTarSplit, type TarSplitEntry } from '../src/index.js';

const CRC = Buffer.alloc(8, 1).toString('base64');

function fileLine(name: string, position: number): string {
  return JSON.stringify({ type: 1, name, size: 1, payload: CRC, position });
}

async function entries(text: string | Buffer, chunkSize = 3): Promise<TarSplitEntry[]> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: TarSplitEntry[] = [];
  for await (const entry of readTarSplit(Readable.from(chunks))) out.push(entry);
  return out;
}

describe('decoder fast paths', () => {
  it('takes base64 that is not canonical, as Go does, and refuses what is not base64', () => {
    const loose = parseEntryLine('{"type":2,"payload":"QR==","position":0}', 1, 0);
    expect(loose).toMatchObject({ type: 'segment', payload: Buffer.from('A') });
    for (const bad of ['Q===', 'QQ', 'QQ=', 'Q Q=', 'QQ==QQ==', '****']) {
      expect(() => parseEntryLine(`{"type":2,"payload":"${bad}","position":0}`, 1, 0), bad).toThrow(
        /the segment payload is not base64/,
      );
    }
  });

  it('finds duplicates whether or not the names needed cleaning', async () => {
    for (const [first, second] of [
      ['a/b', 'a//b'],
      ['a/b', './a/b'],
      ['a/b', 'a/b/'],
      ['a/b', 'a/c/../b'],
      ['dir', 'dir/.'],
    ]) {
      const text = `${fileLine(first!, 0)}\n${fileLine(second!, 1)}\n`;
      const error = await entries(text).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isTarSplitError(error), `${first} ${second}`).toBe(true);
    }
    expect(await entries(`${fileLine('a/b', 0)}\n${fileLine('a/bb', 1)}\n`)).toHaveLength(2);
  });

  it('splits lines whatever the chunking, names with multi-byte characters included', async () => {
    const text = `${fileLine('ĉu/ŝi/日本', 0)}\n\n${fileLine('ĉu/ŝi/日本語', 1)}`;
    for (const size of [1, 2, 5, 64]) {
      const got = await entries(text, size);
      expect(got.map((entry) => (entry.type === 'file' ? entry.name.toString() : ''))).toEqual([
        'ĉu/ŝi/日本',
        'ĉu/ŝi/日本語',
      ]);
    }
  });
});
