// The two native addons, loaded on first use: fs-ext (fcntl record locks) and fs-xattr
// (extended attributes). They are optional dependencies, so installing the package on a machine
// without a C++ compiler succeeds; using the transport there is then a clear error.
import { createRequire } from 'node:module';
import { UnsupportedError } from '@skopeo-ts/core';

export interface FsExt {
  constants: { F_RDLCK: number; F_WRLCK: number; F_UNLCK: number };
  fcntl(fd: number, cmd: 'setlk', arg: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
}

export interface FsXattr {
  setAttribute(path: string, name: string, value: Buffer | string): Promise<void>;
  getAttribute(path: string, name: string): Promise<Buffer>;
}

const require = createRequire(import.meta.url);
let fsExt: FsExt | undefined;
let fsXattr: Promise<FsXattr> | undefined;

function missing(addon: string, why: unknown): UnsupportedError {
  return new UnsupportedError(
    `the containers-storage: transport needs the native addon ${addon}, which is not built here (${(why as Error)?.message ?? String(why)})`,
    {
      cause: why,
      hint: `install a C++ toolchain (Debian: apt-get install -y build-essential python3), then reinstall so ${addon} builds (with pnpm, allow its build in allowBuilds)`,
    },
  );
}

export function loadFsExt(): FsExt {
  if (fsExt === undefined) {
    try {
      fsExt = require('fs-ext') as FsExt;
    } catch (error) {
      throw missing('fs-ext', error);
    }
  }
  return fsExt;
}

export function loadFsXattr(): Promise<FsXattr> {
  fsXattr ??= import('fs-xattr').then(
    (module) => module as FsXattr,
    (error: unknown) => {
      fsXattr = undefined;
      throw missing('fs-xattr', error);
    },
  );
  return fsXattr;
}
