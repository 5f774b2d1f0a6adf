// Both CRC-64 loops (WebAssembly, used where it compiles, and the JavaScript fallback) agree with
// each other and the bitwise reference, across any split and across the wasm copy window.

import { deterministicBytes } from '@skopeo-ts/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWasmCrc64 } from '../src/crc64-wasm.js';
import { Crc64, Crc64Js } from '../src/crc64.js';

function reference(data: Uint8Array): string {
  let crc = 0xffffffffffffffffn;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ 0xd800000000000000n : crc >> 1n;
  }
  return (crc ^ 0xffffffffffffffffn).toString(16).padStart(16, '0');
}

function wasmDigest(parts: Uint8Array[]): string {
  const wasm = loadWasmCrc64();
  if (wasm === undefined) throw new Error('no WebAssembly here');
  let register = (1n << 64n) - 1n;
  for (const part of parts) register = wasm.update(register, part);
  return (register ^ ((1n << 64n) - 1n)).toString(16).padStart(16, '0');
}

function jsDigest(parts: Uint8Array[]): string {
  const crc = new Crc64Js();
  for (const part of parts) crc.update(part);
  return crc.digest().toString('hex');
}

describe('crc64 implementations', () => {
  it('agree with the reference on any data and split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (data, cut) => {
        const at = Math.min(cut, data.length);
        const parts = [data.subarray(0, at), data.subarray(at)];
        const expected = reference(data);
        expect(wasmDigest(parts)).toBe(expected);
        expect(jsDigest(parts)).toBe(expected);
        expect(new Crc64().update(parts[0]!).update(parts[1]!).digest().toString('hex')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('agree on buffers bigger than the wasm copy window', () => {
    const big = deterministicBytes('crc-window', 1024 * 1024 + 13);
    expect(wasmDigest([big])).toBe(jsDigest([big]));
    expect(wasmDigest([big.subarray(0, 262_149), big.subarray(262_149)])).toBe(jsDigest([big]));
  });

  it('starts over after reset', () => {
    const crc = new Crc64().update(Buffer.from('noise'));
    crc.reset();
    expect(crc.update(Buffer.from('123456789')).digest().toString('hex')).toBe('b90956c775a41001');
  });
});
