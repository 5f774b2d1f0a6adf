// What the store needs from a graph driver: make a layer's directory (and say how to unpack
// into it), remove it, and open its files for tar-split reassembly.
import type { FileOpener } from '@skopeo-ts/tar-split';
import type { UnpackOptions } from '../untar/unpacker.js';

export type DriverName = 'vfs' | 'overlay';

export interface LayerDriver {
  readonly name: DriverName;
  /** Creates the driver's top-level directories and marker files when missing. */
  init(): Promise<void>;
  /**
   * Makes the layer's directory (vfs: a copy of the parent) and returns how to unpack into it.
   * `stagedDiff`, for drivers with a `stagingHome`, is a diff already unpacked there: it is moved
   * into the layer instead.
   */
  create(id: string, parent: string | undefined, stagedDiff?: string): Promise<UnpackOptions>;
  /**
   * Where a layer's own changes can be unpacked before its ID and parent are known (overlay:
   * inside the driver's home, so a rename puts them in place), or undefined when unpacking needs
   * the parent's tree (vfs).
   */
  readonly stagingHome: string | undefined;
  /** How to unpack into a staged diff directory (drivers with a `stagingHome`). */
  stagedUnpackOptions?(diffDir: string): UnpackOptions;
  /** Removes everything the driver has for the layer; no error when it is already gone. */
  remove(id: string): Promise<void>;
  /** Opens the layer's files by tar-split entry name. */
  opener(id: string): Promise<FileOpener>;
}

export function isRoot(): boolean {
  return (process.getuid?.() ?? 0) === 0;
}
