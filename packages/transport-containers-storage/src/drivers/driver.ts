// What the store needs from a graph driver: make a layer's directory (and say how to unpack
// into it), remove it, and open its files for tar-split reassembly.
import type { FileOpener } from '@skopeo-ts/tar-split';
import type { UnpackOptions } from '../untar/unpacker.js';

export type DriverName = 'vfs' | 'overlay';

export interface LayerDriver {
  readonly name: DriverName;
  /** Creates the driver's top-level directories and marker files when missing. */
  init(): Promise<void>;
  /** Makes the layer's directory (vfs: a copy of the parent) and returns how to unpack into it. */
  create(id: string, parent: string | undefined): Promise<UnpackOptions>;
  /** Removes everything the driver has for the layer; no error when it is already gone. */
  remove(id: string): Promise<void>;
  /** Opens the layer's files by tar-split entry name. */
  opener(id: string): Promise<FileOpener>;
}

export function isRoot(): boolean {
  return (process.getuid?.() ?? 0) === 0;
}
