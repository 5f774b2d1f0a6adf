// runBin(), the process wiring both `skopeo-ts` bins share, driven through small bins that import
// the built dist/index.js: exit status, signals, broken pipes, unsettled promises, flushing, and
// the version an embedder passes to main().
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_DIR, requireBuiltCli } from './helpers/run-cli.js';

const CLI_INDEX = join(PACKAGE_DIR, 'dist', 'index.js');

let tmp: TempDir;
let cliVersion: string;

beforeAll(async () => {
  requireBuiltCli(CLI_INDEX);
  tmp = await makeTempDir('skopeo-ts-cli-run-bin');
  cliVersion = (JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string })
    .version;
});

afterAll(async () => {
  await tmp?.cleanup();
});

let scripts = 0;

/** Writes a bin whose body runs after `import { main, runBin } from '@skopeo-ts/cli'`. */
async function writeBin(body: string): Promise<string> {
  const path = join(tmp.path, `bin-${++scripts}.mjs`);
  await writeFile(path, `import { main, runBin } from ${JSON.stringify(CLI_INDEX)};\n${body}\n`);
  return path;
}

interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(bin: string, args: readonly string[] = []): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [bin, ...args], {
    cwd: tmp.path,
    env: { PATH: process.env.PATH, HOME: tmp.path, XDG_CONFIG_HOME: join(tmp.path, '.config') },
  });
}

function finish(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) =>
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

/** Resolves once the child has written `text` to stderr. */
function waitForStderr(child: ChildProcessWithoutNullStreams, text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(text)) {
        child.stderr.off('data', onData);
        resolve();
      }
    };
    child.stderr.on('data', onData);
  });
}

describe('runBin', () => {
  it("runs @skopeo-ts/cli's main by default and exits with its status", async () => {
    const bin = await writeBin('await runBin();');
    const version = await finish(start(bin, ['--version']));
    expect(version).toMatchObject({ status: 0, stdout: `skopeo-ts version ${cliVersion}\n`, stderr: '' });
    const usage = await finish(start(bin, ['no-such-command']));
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain("skopeo-ts: error: unknown command 'no-such-command'");
  });

  it("runs an embedder's main with the options given, plus the abort signal", async () => {
    const bin = await writeBin(`await runBin({
  argv: ['--version'],
  version: { name: 'embedder', version: '9.8.7' },
  main: (argv, options) => {
    process.stderr.write(\`signal: \${options.signal instanceof AbortSignal}\\n\`);
    return main(argv, options);
  },
});`);
    const result = await finish(start(bin, ['ignored']));
    expect(result).toMatchObject({
      status: 0,
      stdout: `embedder version 9.8.7 (@skopeo-ts/cli ${cliVersion})\n`,
      stderr: 'signal: true\n',
    });
  });

  it('writes everything before exiting, even a large output to a slow reader', async () => {
    const bin = await writeBin(`await runBin({ main: async () => {
  for (let i = 0; i < 200; i++) process.stdout.write(\`\${String(i).padStart(5, '0')}\${'x'.repeat(9994)}\\n\`);
  return 3;
} });`);
    const child = start(bin);
    // Read slowly at first, so that the output piles up in the pipe.
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 300);
    const result = await finish(child);
    expect(result.status).toBe(3);
    expect(result.stdout.length).toBe(200 * 10_000);
    expect(result.stdout.endsWith(`00199${'x'.repeat(9994)}\n`)).toBe(true);
  });

  it('Ctrl-C aborts the operation: main sees the abort, cleans up, and the bin exits 130', async () => {
    const bin = await writeBin(`await runBin({ main: (argv, { signal }) => new Promise((resolve) => {
  const keepAlive = setInterval(() => {}, 1000);
  signal.addEventListener('abort', () => {
    process.stderr.write(\`aborted: \${signal.reason.message}\\n\`);
    setTimeout(() => { clearInterval(keepAlive); process.stderr.write('cleaned up\\n'); resolve(1); }, 50);
  });
  process.stderr.write('ready\\n');
}) });`);
    const child = start(bin);
    const done = finish(child);
    await waitForStderr(child, 'ready');
    child.kill('SIGINT');
    const result = await done;
    expect(result.status).toBe(130);
    expect(result.stderr).toBe('ready\naborted: interrupted by SIGINT\ncleaned up\n');
  });

  it('a second Ctrl-C exits at once, with 130', async () => {
    const bin = await writeBin(`await runBin({ main: (argv, { signal }) => new Promise(() => {
  setInterval(() => {}, 1000);
  signal.addEventListener('abort', () => process.stderr.write('aborted\\n'));
  process.stderr.write('ready\\n');
}) });`);
    const child = start(bin);
    const done = finish(child);
    await waitForStderr(child, 'ready');
    child.kill('SIGTERM');
    await waitForStderr(child, 'aborted');
    child.kill('SIGINT');
    const result = await done;
    expect(result.status).toBe(130);
    expect(result.stderr).toBe('ready\naborted\n');
  });

  it('a reader that goes away ends the bin with 141 and no stack trace', async () => {
    const bin = await writeBin(`await runBin({ main: async () => {
  for (;;) {
    process.stdout.write('y'.repeat(65536));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
} });`);
    const child = start(bin);
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(status).toBe(141);
    expect(Buffer.concat(stderr).toString('utf8')).toBe('');
  });

  it('says what happened when main never settles (a plugin left a promise pending)', async () => {
    const bin = await writeBin('await runBin({ main: () => new Promise(() => {}) });');
    const result = await finish(start(bin));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'skopeo-ts: error: the operation stopped before finishing: nothing was left to wait for (a transport plugin left a promise unsettled)\n',
    );
  });

  it("reports an embedder's main that throws as an error, exit 1", async () => {
    const bin = await writeBin(`await runBin({ main: async () => { throw new Error('boom'); } });`);
    const result = await finish(start(bin));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('skopeo-ts: error: boom\n');
  });
});

describe('main(argv, { version })', () => {
  it("prints the embedder's name and version, then the CLI's, with and without commander", async () => {
    const bin = await writeBin(
      `process.exitCode = await main(process.argv.slice(2), { version: { name: 'skopeo-ts', version: '2.0.0' } });`,
    );
    for (const args of [['--version'], ['-v'], ['--debug', '--version']]) {
      const result = await finish(start(bin, args));
      expect(result, args.join(' ')).toMatchObject({
        status: 0,
        stdout: `skopeo-ts version 2.0.0 (@skopeo-ts/cli ${cliVersion})\n`,
        stderr: '',
      });
    }
  });
});
