// A `dir:PATH` reference. The path is made absolute and clean once, at parse time, so that a
// later change of working directory cannot change which directory the reference names.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type Context,
  deleteNotSupported,
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  InvalidReferenceError,
  type Transport,
} from '@skopeo-ts/core';
import { DirImageDestination } from './destination.js';
import { DirImageSource } from './source.js';

export class DirReference implements ImageReference {
  readonly transport: Transport;
  /** Absolute, clean path of the directory: what file operations use. */
  readonly path: string;
  /** `path` with symbolic links resolved (as far as the path exists): the policy identity. */
  readonly resolvedPath: string;
  readonly dockerReference = undefined;

  /** `input` is what follows `dir:`; relative paths are taken from the current directory. */
  constructor(transport: Transport, input: string) {
    if (input === '') {
      throw new InvalidReferenceError(`dir:${input}`, 'the directory path is empty, e.g. dir:/var/tmp/image');
    }
    if (input.includes('\0')) {
      throw new InvalidReferenceError(`dir:${input}`, 'the directory path contains a NUL byte');
    }
    this.transport = transport;
    this.path = resolve(input);
    this.resolvedPath = resolveSymlinks(this.path);
  }

  get withinTransport(): string {
    return this.path;
  }

  toString(): string {
    return `dir:${this.path}`;
  }

  policyIdentity(): string {
    return this.resolvedPath;
  }

  /** Every parent directory, nearest first; "/" is left out (the global default covers it). */
  policyNamespaces(): string[] {
    const namespaces: string[] = [];
    let current = this.resolvedPath;
    for (;;) {
      const slash = current.lastIndexOf('/');
      if (slash <= 0) break;
      current = current.slice(0, slash);
      namespaces.push(current);
    }
    return namespaces;
  }

  newSource(ctx: Context): Promise<ImageSource> {
    return DirImageSource.open(this, ctx);
  }

  newDestination(ctx: Context): Promise<ImageDestination> {
    return DirImageDestination.open(this, ctx);
  }

  /** skopeo cannot delete dir: images either; remove the directory instead. */
  delete(_ctx: Context): Promise<void> {
    return deleteNotSupported(this.transport.name)();
  }
}

/**
 * Resolves symbolic links in the longest existing prefix of an absolute path and keeps the rest
 * as written. containers/image refuses a path whose parent does not exist; a destination is
 * created with its parents here, so such a path is accepted.
 */
function resolveSymlinks(absolute: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(resolveSymlinks(parent), basename(absolute));
  }
}
