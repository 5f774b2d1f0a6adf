// Property tests: any tree tar-stream can write splits and rebuilds byte for byte, however the
// stream is chunked; and any entries we encode read back the same.

import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64, readTarSplit, type TarSplitEntry, TarSplitPacker } from '../src/index.js';
import { reassemble, sha256, splitTar, tarStreamTar } from './helpers.js';

let tmp: TempDir;
let run = 0;

beforeAll(async () => {
  tmp = await makeTempDir('tar-split-property');
});

afterAll(async () => {
  await tmp?.cleanup();
});

const segmentName = fc
  .stringMatching(/^[a-zA-Z0-9._ <>&é✓-]{1,12}$/)
  .filter((name) => name !== '.' && name !== '..');
const path = fc.array(segmentName, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('/'));

type Member =
  | { kind: 'file'; content: Uint8Array }
  | { kind: 'dir' }
  | { kind: 'symlink'; target: string }
  | { kind: 'char' };

const member: fc.Arbitrary<Member> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.uint8Array({ maxLength: 3000 }).map((content) => ({ kind: 'file' as const, content })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'dir' as const }) },
  { weight: 1, arbitrary: path.map((target) => ({ kind: 'symlink' as const, target })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'char' as const }) },
);

const tree = fc.uniqueArray(fc.tuple(path, member), {
  minLength: 0,
  maxLength: 15,
  // Unique after the duplicate check's cleaning (a trailing '/' on dirs does not matter).
  selector: ([name]) => name,
});

describe('random trees', () => {
  it('split and rebuild byte for byte, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        tree,
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 3 }),
        async (members, chunk, extraBlocks) => {
          const mtime = new Date('2024-01-01T00:00:00Z');
          const tar = Buffer.concat([
            await tarStreamTar(
              members.map(([name, spec]) => {
                switch (spec.kind) {
                  case 'file':
                    return {
                      header: { name, type: 'file', mode: 0o644, mtime },
                      body: Buffer.from(spec.content),
                    };
                  case 'dir':
                    return { header: { name: `${name}/`, type: 'directory', mode: 0o755, mtime } };
                  case 'symlink':
                    return { header: { name, type: 'symlink', linkname: spec.target, mtime } };
                  default:
                    return { header: { name, type: 'character-device', devmajor: 1, devminor: 5, mtime } };
                }
              }),
            ),
            Buffer.alloc(extraBlocks * 512),
          ]);
          const result = await splitTar(tar, join(tmp.path, `keep-${run++}`), chunk);
          expect(result.passthrough.equals(tar)).toBe(true);
          expect(sha256(await reassemble(result.lines, result.opener))).toBe(sha256(tar));
          expect(result.members.map((m) => m.name)).toEqual(
            members.map(([name, spec]) => (spec.kind === 'dir' ? `${name}/` : name)),
          );
          expect(result.members.map((m) => m.size)).toEqual(
            members.map(([, spec]) => (spec.kind === 'file' ? spec.content.length : 0)),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('encoding', () => {
  const entry = fc.oneof(
    fc
      .uint8Array({ maxLength: 2000 })
      .map((payload) => ({ kind: 'segment' as const, payload: Buffer.from(payload) })),
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.uint8Array({ maxLength: 100 }))
      .map(([name, content]) => ({ kind: 'file' as const, name: Buffer.from(name), content })),
  );

  it('reads back exactly what it wrote (names in UTF-8 or raw)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 20 }), async (entries) => {
        const packer = new TarSplitPacker();
        const expected: TarSplitEntry[] = [];
        let text = '';
        for (const item of entries) {
          if (item.kind === 'segment') {
            expected.push({ type: 'segment', payload: item.payload, position: expected.length });
            text += packer.addSegment(item.payload);
            continue;
          }
          try {
            packer.claimName(item.name);
          } catch {
            continue; // a duplicate after cleaning: the packer refuses it, as Go does
          }
          const size = item.content.length;
          const crc = size > 0 ? crc64(item.content) : undefined;
          expected.push({ type: 'file', name: item.name, size, crc64: crc, position: expected.length });
          text += packer.fileLine(item.name, size, crc);
        }
        const read: TarSplitEntry[] = [];
        for await (const decoded of readTarSplit(Readable.from([Buffer.from(text)]))) read.push(decoded);
        expect(read).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
