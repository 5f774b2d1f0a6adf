// Reads a tar stream once and records it as tar-split entries, splitting it exactly where Go's
// asm.NewInputTarStream does: before each member, one segment with everything since the
// previous member's content (padding, extension headers, the header); after the last member,
// one segment with the final padding and the end blocks; then any trailing bytes in segments
// of at most 1 MiB.

import { ContentPump } from './content-pump.js';
import { Crc64 } from './crc64.js';
import { displayName } from './entry.js';
import { TarSplitPacker } from './encode.js';
import { TarSplitError } from './errors.js';
import type { InputQueue } from './input-queue.js';
import type { LineSink } from './line-sink.js';
import { isHeaderOnly, memberHeader, type TarMember, type TarMemberHeader } from './member.js';
import { isPaxSparse, type PaxRecords, parsePaxRecords, paxOverrides } from './pax.js';
import { BLOCK_SIZE, cString, isZeroBlock, parseHeader, type RawHeader } from './tar-header.js';

/** Go's cap on PAX and GNU long-name data (maxSpecialFileSize). */
const MAX_EXTENSION_SIZE = 1024 * 1024;
/** Trailing bytes after the end of the archive go out in segments of at most this size. */
const TRAILING_SEGMENT_SIZE = 1024 * 1024;
/** How much content one read hands on at most. */
const CONTENT_PIECE = 1024 * 1024;

export type MemberHandler = (member: TarMember) => void | Promise<void>;

export interface DisassembleSummary {
  /** tar-split entries written. */
  entries: number;
  /** File entries (archive members, PAX global headers included). */
  members: number;
  /** Bytes of tar read. */
  tarSize: number;
}

function blockPadding(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

function truncated(offset: number, what: string): TarSplitError {
  return new TarSplitError('BAD_TAR', `the tar stream ends at byte ${offset}, in the middle of ${what}`);
}

class Disassembler {
  readonly #input: InputQueue;
  readonly #sink: LineSink;
  readonly #onMember: MemberHandler | undefined;
  readonly #packer = new TarSplitPacker();
  // Raw bytes since the last member's content: the next segment.
  #pending: Buffer[] = [];
  #pendingLength = 0;
  // Padding still due after the last content or extension data.
  #padding = 0;
  #members = 0;

  constructor(input: InputQueue, sink: LineSink, onMember: MemberHandler | undefined) {
    this.#input = input;
    this.#sink = sink;
    this.#onMember = onMember;
  }

  async run(): Promise<DisassembleSummary> {
    while (await this.#nextMember()) {
      // one member recorded
    }
    await this.#flushSegment();
    await this.#trailingBytes();
    await this.#sink.flush();
    return { entries: this.#packer.entryCount, members: this.#members, tarSize: this.#input.consumed };
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#pending.push(bytes);
    this.#pendingLength += bytes.length;
  }

  async #flushSegment(): Promise<void> {
    if (this.#pendingLength === 0) return;
    const payload = Buffer.concat(this.#pending, this.#pendingLength);
    this.#pending = [];
    this.#pendingLength = 0;
    await this.#sink.write(this.#packer.addSegment(payload));
  }

  /** A header block, or undefined at the end of the archive (its bytes are kept either way). */
  async #readHeaderBlock(): Promise<{ block: Buffer; offset: number } | undefined> {
    if (this.#padding > 0) {
      const padding = await this.#input.takeExactly(this.#padding);
      this.#keep(padding);
      // Go stops at an archive that ends inside padding; we keep those bytes so it still rebuilds.
      if (padding.length < this.#padding) return undefined;
      this.#padding = 0;
    }
    const offset = this.#input.consumed;
    const block = await this.#input.takeExactly(BLOCK_SIZE);
    if (block.length === 0) return undefined;
    if (block.length < BLOCK_SIZE) throw truncated(this.#input.consumed, 'a header block');
    this.#keep(block);
    if (!isZeroBlock(block)) return { block, offset };
    // One zero block, then EOF or a second zero block, ends the archive (as in Go).
    const second = await this.#input.takeExactly(BLOCK_SIZE);
    if (second.length === 0) return undefined;
    if (second.length < BLOCK_SIZE) throw truncated(this.#input.consumed, 'the end-of-archive blocks');
    this.#keep(second);
    if (isZeroBlock(second)) return undefined;
    throw new TarSplitError(
      'BAD_TAR',
      `invalid tar header at byte ${offset + BLOCK_SIZE}: a zero block is followed by a non-zero block`,
    );
  }

  /** The data of a PAX or GNU long-name header, kept in the segment. */
  async #readExtensionData(raw: RawHeader, offset: number): Promise<Buffer> {
    if (raw.size > MAX_EXTENSION_SIZE) {
      throw new TarSplitError(
        'BAD_TAR',
        `the extension header at byte ${offset} holds ${raw.size} bytes, more than the 1 MiB Go accepts`,
      );
    }
    const data = await this.#input.takeExactly(raw.size);
    if (data.length < raw.size) throw truncated(this.#input.consumed, 'an extension header');
    this.#keep(data);
    this.#padding = blockPadding(raw.size);
    return data;
  }

  /** Reads up to and including one member; false at the end of the archive. */
  async #nextMember(): Promise<boolean> {
    let records: PaxRecords = new Map();
    let longName: Buffer | undefined;
    let longLink: Buffer | undefined;
    for (;;) {
      const next = await this.#readHeaderBlock();
      if (next === undefined) return false;
      const { block, offset } = next;
      const raw = parseHeader(block, offset);
      const rawType = String.fromCharCode(raw.typeflag);
      if (raw.size < 0 && !isHeaderOnly(rawType)) {
        throw new TarSplitError('BAD_TAR', `invalid tar header at byte ${offset}: negative size ${raw.size}`);
      }
      switch (rawType) {
        case 'x':
        case 'g': {
          const data = await this.#readExtensionData(raw, offset);
          records = parsePaxRecords(data, offset);
          if (rawType === 'x') continue;
          // Go returns a global header as a member of its own, with no size.
          const header = memberHeader(raw, records, paxOverrides(records, offset), undefined, undefined);
          await this.#recordMember({ ...header, typeflag: 'g', size: 0 }, 0, offset);
          return true;
        }
        case 'L':
        case 'K': {
          const value = cString(await this.#readExtensionData(raw, offset));
          const name = value.length > 0 ? value : undefined;
          if (rawType === 'L') longName = name;
          else longLink = name;
          continue;
        }
        default: {
          const header = memberHeader(raw, records, paxOverrides(records, offset), longName, longLink);
          if (rawType === 'S' || isPaxSparse(records)) {
            throw new TarSplitError(
              'UNSUPPORTED',
              `${displayName(header.nameBytes)} (byte ${offset}) is a sparse file: tar-split cannot record ` +
                'sparse members so that the tar rebuilds exactly',
            );
          }
          const dataSize = isHeaderOnly(header.typeflag) ? 0 : header.size;
          if (dataSize < 0) {
            throw new TarSplitError(
              'BAD_TAR',
              `invalid tar header at byte ${offset}: negative size ${header.size}`,
            );
          }
          if (!Number.isSafeInteger(dataSize)) {
            throw new TarSplitError(
              'UNSUPPORTED',
              `member at byte ${offset} is too large (${header.size} bytes)`,
            );
          }
          await this.#recordMember(header, dataSize, offset);
          return true;
        }
      }
    }
  }

  /** Emits the segment before a member, streams its content, then its file entry. */
  async #recordMember(header: TarMemberHeader, dataSize: number, offset: number): Promise<void> {
    // Checked before the caller sees the member, so it never writes a duplicate to disk.
    this.#packer.claimName(header.nameBytes);
    await this.#flushSegment();
    const crc = await this.#streamContent(header, dataSize, offset);
    // Added: a PAX global header's own data padding may still be due.
    this.#padding += blockPadding(dataSize);
    // Go checksums whenever the header's size is positive, even when no content follows.
    await this.#sink.write(
      this.#packer.fileLine(header.nameBytes, header.size, header.size > 0 ? crc : undefined),
    );
    this.#members++;
  }

  async #streamContent(header: TarMemberHeader, dataSize: number, offset: number): Promise<Buffer> {
    const crc = new Crc64();
    const pump = this.#onMember ? new ContentPump() : undefined;
    let failure: { error: unknown } | undefined;
    let handlerDone: Promise<void> | undefined;
    if (pump && this.#onMember) {
      const onMember = this.#onMember;
      handlerDone = Promise.resolve()
        .then(() => onMember({ ...header, content: pump.stream }))
        .then(
          () => pump.drainUnread(),
          (error: unknown) => {
            failure = { error };
            pump.stream.destroy();
          },
        );
    }
    let remaining = dataSize;
    while (remaining > 0) {
      const piece = await this.#input.take(Math.min(remaining, CONTENT_PIECE));
      if (piece === undefined) {
        pump?.stream.destroy();
        throw truncated(
          this.#input.consumed,
          `the content of ${displayName(header.nameBytes)} (byte ${offset})`,
        );
      }
      remaining -= piece.length;
      crc.update(piece);
      if (pump && !failure) await pump.write(piece);
    }
    pump?.end();
    await handlerDone;
    if (failure) throw failure.error;
    return crc.digest();
  }

  async #trailingBytes(): Promise<void> {
    for (;;) {
      const piece = await this.#input.take(TRAILING_SEGMENT_SIZE - this.#pendingLength);
      if (piece === undefined) break;
      this.#keep(piece);
      if (this.#pendingLength >= TRAILING_SEGMENT_SIZE) await this.#flushSegment();
    }
    await this.#flushSegment();
  }
}

/** Runs the split over everything `input` receives; entries go to `sink`. */
export function disassemble(
  input: InputQueue,
  sink: LineSink,
  onMember: MemberHandler | undefined,
): Promise<DisassembleSummary> {
  return new Disassembler(input, sink, onMember).run();
}
