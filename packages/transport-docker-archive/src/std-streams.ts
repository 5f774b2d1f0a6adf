// /dev/stdin and /dev/stdout cannot be opened by path when they are sockets (a parent that is a
// Node process, socket activation: ENXIO); then the process's own streams are used instead.
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { errnoCode } from './errors.js';

const STDIN_ALIASES = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);
const STDOUT_ALIASES = new Set(['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

/** Opens `path` for reading; resolves once it is open. */
export function openReadStream(path: string): Promise<Readable> {
  const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
  return new Promise((resolve, reject) => {
    input.once('open', () => resolve(input));
    input.once('error', (error) => {
      if (errnoCode(error) === 'ENXIO' && STDIN_ALIASES.has(path)) resolve(process.stdin);
      else reject(error);
    });
  });
}

/** Opens a device or FIFO for writing; resolves once it is open. */
export function openWriteStream(path: string): Promise<NodeJS.WritableStream> {
  const output = createWriteStream(path, { flags: 'w' });
  return new Promise((resolve, reject) => {
    output.once('open', () => resolve(output));
    output.once('error', (error) => {
      if (errnoCode(error) === 'ENXIO' && STDOUT_ALIASES.has(path)) resolve(process.stdout);
      else reject(error);
    });
  });
}
