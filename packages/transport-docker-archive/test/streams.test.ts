// Archives as streams: read from /dev/stdin (a pipe: spooled, as manifest.json may come last) and
// written to /dev/stdout, in real child processes using the built package.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { skopeoInspect } from '@skopeo-ts/testkit';
import { describe, expect, it } from 'vitest';
import { docker20Layout, docker25Layout, fixtureImage, writeTarFile } from './fixtures/docker-save.js';
import { multiLayerImage, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const CHILD = fileURLToPath(new URL('./children/archive-io.mjs', import.meta.url));

/** Runs the child with `stdin` piped from a file (through a pipe, never a file descriptor of it). */
function runChild(args: string[], options: { stdinFile?: string; stdoutFile?: string; tmpDir: string }) {
  const child = spawn(process.execPath, [CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: options.tmpDir },
  });
  if (options.stdinFile) createReadStream(options.stdinFile).pipe(child.stdin);
  else child.stdin.end();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  if (options.stdoutFile) child.stdout.pipe(createWriteStream(options.stdoutFile));
  else child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

describe('streams', () => {
  it('reads docker-archive:/dev/stdin from a pipe, for both layouts, and cleans its spool', async () => {
    const dir = await tempDir();
    const spoolDir = await tempDir();
    const first = await fixtureImage('a', ['a:1']);
    const second = await fixtureImage('b', ['b:1']);
    for (const layout of [docker20Layout, docker25Layout]) {
      await writeTarFile(`${dir}/save.tar`, layout([first, second]));
      const result = await runChild(['read', '/dev/stdin:@1'], {
        stdinFile: `${dir}/save.tar`,
        tmpDir: spoolDir,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).config.digest).toBe(second.configDigest);
      expect(await readdir(spoolDir)).toEqual([]);
    }
  });

  it('reads docker-archive:/dev/stdin from a shell pipe (a FIFO), gzip-compressed', async () => {
    const dir = await tempDir();
    const image = await fixtureImage('gz', ['gz:1']);
    await writeTarFile(`${dir}/save.tar`, docker20Layout([image]));
    const script = 'gzip -c "$1" | "$2" "$3" read /dev/stdin';
    const child = spawn('sh', ['-c', script, 'sh', `${dir}/save.tar`, process.execPath, CHILD], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: dir },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, Buffer.concat(stderr).toString('utf8')).toBe(0);
    expect(JSON.parse(Buffer.concat(stdout).toString('utf8')).config.digest).toBe(image.configDigest);
  });

  it('writes docker-archive:/dev/stdout that skopeo reads', async () => {
    const dir = await tempDir();
    const built = await multiLayerImage(dir);
    const out = `${dir}/from-stdout.tar`;
    const result = await runChild(['write', `${built.layoutDir}:latest`, '/dev/stdout:example.com/out:1'], {
      stdoutFile: out,
      tmpDir: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await skopeoInspect(`docker-archive:${out}:example.com/out:1`)).json.Layers).toEqual(
      built.diffIds,
    );
  });
});
