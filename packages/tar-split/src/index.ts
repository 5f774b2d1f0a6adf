// @skopeo-ts/tar-split: Go tar-split compatible generation, reading and reassembly.
export { Crc64, crc64 } from './crc64.js';
export type { FileEntry, SegmentEntry, TarSplitEntry } from './entry.js';
export { isTarSplitError, TarSplitError, type TarSplitErrorCode } from './errors.js';
export { fileEntryLine, segmentEntryLine, TarSplitPacker } from './encode.js';
export { parseEntryLine, readTarSplit } from './decode.js';
export { type TarMember, type TarMemberHeader, TYPEFLAG } from './member.js';
export {
  generateTarSplit,
  type MemberHandler,
  TarSplitGenerator,
  type TarSplitGeneratorOptions,
  type TarSplitSummary,
} from './generator.js';
export { assembleTar, assembleTarChunks, type FileOpener, type OpenedFile } from './assemble.js';
export { directoryOpener } from './directory-opener.js';
