// CRC-64/ISO's bulk loop as a tiny WebAssembly function: the same fold as crc64.ts (x^64 ≡ x^4 +
// x^3 + x + 1, so 64 message bits fold in with a few shifts and xors) but on native 64-bit
// registers, where JavaScript needs two 32-bit halves. The module is assembled here from named
// opcodes rather than shipped as an opaque blob.

const I32 = 0x7f;
const I64 = 0x7e;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, local],
  set: (local: number) => [0x21, local],
  i64Load: [0x29, 0x00, 0x00],
  i64Load8U: [0x31, 0x00, 0x00],
  i32Const: (value: number) => [0x41, ...signedLeb(BigInt(value))],
  i64Const: (value: bigint) => [0x42, ...signedLeb(value)],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32And: [0x71],
  i64Sub: [0x7d],
  i64And: [0x83],
  i64Xor: [0x85],
  i64Shl: [0x86],
  i64ShrU: [0x88],
};

function signedLeb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    out.push(value === 0 ? byte : byte | 0x80);
  } while (value !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...unsignedLeb(body.length), ...body];
}

function name(text: string): number[] {
  return [text.length, ...Buffer.from(text, 'latin1')];
}

/** The reflected polynomial, as the signed 64-bit constant wasm encodes. */
const POLY = BigInt.asIntN(64, 0xd800000000000000n);

// update(crc: i64, at: i32, length: i32) -> i64, over bytes already in memory.
const CRC = 0;
const AT = 1;
const LENGTH = 2;
const END_WORDS = 3;
const END = 4;
const V = 5;
const U = 6;

function body(): number[] {
  // biome-ignore format: one line per step of the algorithm reads better than one per opcode
  const oneBit = [
    // crc = crc >>> 1 ^ (POLY & -(crc & 1))
    ...op.get(CRC), ...op.i64Const(1n), ...op.i64ShrU,
    ...op.i64Const(POLY), ...op.i64Const(0n), ...op.get(CRC), ...op.i64Const(1n), ...op.i64And, ...op.i64Sub,
    ...op.i64And, ...op.i64Xor, ...op.set(CRC),
  ];
  // biome-ignore format: one line per step of the algorithm reads better than one per opcode
  const code = [
    ...op.get(AT), ...op.get(LENGTH), ...op.i32Add, ...op.set(END),
    ...op.get(AT), ...op.get(LENGTH), ...op.i32Const(-8), ...op.i32And, ...op.i32Add, ...op.set(END_WORDS),
    // Eight bytes at a time: v = crc ^ word; u = v ^ v<<60 ^ v<<61 ^ v<<63; crc = u ^ u>>1 ^ u>>3 ^ u>>4.
    ...op.block, ...op.loop,
    ...op.get(AT), ...op.get(END_WORDS), ...op.i32GeU, ...op.brIf(1),
    ...op.get(CRC), ...op.get(AT), ...op.i64Load, ...op.i64Xor, ...op.set(V),
    // Paired xors, so that the two halves of each step can run side by side.
    ...op.get(V), ...op.get(V), ...op.i64Const(60n), ...op.i64Shl, ...op.i64Xor,
    ...op.get(V), ...op.i64Const(61n), ...op.i64Shl, ...op.get(V), ...op.i64Const(63n), ...op.i64Shl,
    ...op.i64Xor, ...op.i64Xor, ...op.set(U),
    ...op.get(U), ...op.get(U), ...op.i64Const(1n), ...op.i64ShrU, ...op.i64Xor,
    ...op.get(U), ...op.i64Const(3n), ...op.i64ShrU, ...op.get(U), ...op.i64Const(4n), ...op.i64ShrU,
    ...op.i64Xor, ...op.i64Xor, ...op.set(CRC),
    ...op.get(AT), ...op.i32Const(8), ...op.i32Add, ...op.set(AT),
    ...op.br(0), ...op.end, ...op.end,
    // The last few bytes one bit at a time.
    ...op.block, ...op.loop,
    ...op.get(AT), ...op.get(END), ...op.i32GeU, ...op.brIf(1),
    ...op.get(CRC), ...op.get(AT), ...op.i64Load8U, ...op.i64Xor, ...op.set(CRC),
    ...Array.from({ length: 8 }, () => oneBit).flat(),
    ...op.get(AT), ...op.i32Const(1), ...op.i32Add, ...op.set(AT),
    ...op.br(0), ...op.end, ...op.end,
    ...op.get(CRC), ...op.end,
  ];
  const locals = [2, 2, I32, 2, I64];
  return [...unsignedLeb(locals.length + code.length), ...locals, ...code];
}

function moduleBytes(pages: number): Uint8Array {
  // biome-ignore format: the header's eight bytes on one line
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, I64, I32, I32, 1, I64]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...unsignedLeb(pages)]),
    ...section(7, [2, ...name('update'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...body()]),
  ]);
}

export interface WasmCrc64 {
  /** The register after `data`, from `crc` (both as the algorithm keeps them, inverted; unsigned). */
  update(crc: bigint, data: Uint8Array): bigint;
}

const PAGES = 4;
const WINDOW = PAGES * 65536;

/** The little of the WebAssembly API used here (neither ES2023 nor @types/node 20 declares it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** The wasm loop, or undefined where WebAssembly is unavailable (node --jitless). */
export function loadWasmCrc64(): WasmCrc64 | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return undefined;
  const { exports } = new api.Instance(new api.Module(moduleBytes(PAGES)));
  const update = exports.update as (crc: bigint, at: number, length: number) => bigint;
  const memory = new Uint8Array((exports.memory as { buffer: ArrayBuffer }).buffer);
  return {
    update(crc, data) {
      for (let offset = 0; offset < data.length; offset += WINDOW) {
        const piece = data.subarray(offset, offset + WINDOW);
        memory.set(piece);
        crc = update(crc, 0, piece.length);
      }
      return BigInt.asUintN(64, crc);
    },
  };
}
