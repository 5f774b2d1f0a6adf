// CRC-64/ISO against known vectors and a bit-at-a-time BigInt reference, over any split of the
// input; and its throughput, printed for the report (not asserted: the machine is shared).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../src/index.js';

/** The textbook bitwise algorithm, with BigInt: slow, obviously right. */
function referenceCrc64(data: Uint8Array): string {
  const poly = 0xd800000000000000n;
  let crc = 0xffffffffffffffffn;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return (crc ^ 0xffffffffffffffffn).toString(16).padStart(16, '0');
}

describe('crc64', () => {
  it('matches known vectors', () => {
    expect(crc64(Buffer.from('hello\n')).toString('hex')).toBe('614c3eeee2d81000');
    // The CRC catalogue's check value for CRC-64/GO-ISO.
    expect(crc64(Buffer.from('123456789')).toString('hex')).toBe('b90956c775a41001');
    expect(crc64(Buffer.alloc(0)).toString('hex')).toBe('0000000000000000');
    expect(crc64(Buffer.from('hello\n')).toString('base64')).toBe('YUw+7uLYEAA=');
  });

  it('equals the bitwise reference for any data, offset and split', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(7),
        fc.array(fc.nat(300), { maxLength: 5 }),
        (data, shift, cuts) => {
          // Copy at an offset so the word loop sees every alignment.
          const backing = new Uint8Array(data.length + shift);
          backing.set(data, shift);
          const view = backing.subarray(shift);
          const crc = new Crc64();
          let start = 0;
          for (const cut of [...cuts].sort((a, b) => a - b)) {
            const end = Math.min(cut, view.length);
            if (end < start) continue;
            crc.update(view.subarray(start, end));
            start = end;
          }
          crc.update(view.subarray(start));
          expect(crc.digest().toString('hex')).toBe(referenceCrc64(data));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('resets', () => {
    const crc = new Crc64().update(Buffer.from('junk'));
    crc.reset();
    expect(crc.update(Buffer.from('hello\n')).digest().toString('hex')).toBe('614c3eeee2d81000');
  });

  it('reports its throughput', () => {
    const data = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4093) data[i] = i & 0xff;
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const started = process.hrtime.bigint();
      const crc = new Crc64();
      for (let offset = 0; offset < data.length; offset += 256 * 1024)
        crc.update(data.subarray(offset, offset + 256 * 1024));
      crc.digest();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      best = Math.max(best, data.length / 1e6 / seconds);
    }
    console.log(`crc64 throughput: ${best.toFixed(0)} MB/s`);
    expect(best).toBeGreaterThan(0);
  });
});
