// The bin itself: version, help, usage errors, manifest-digest.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, runSkopeo, type TempDir } from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_DIR, runCli } from './helpers/run-cli.js';
import { signedSchema1Manifest } from './helpers/schema1.js';

let tmp: TempDir;
let version: string;

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-cli-basics');
  version = (JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string })
    .version;
});

afterAll(async () => {
  await tmp.cleanup();
});

describe('skopeo-ts', () => {
  it('prints its version like skopeo (`skopeo version 1.9.3`)', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runCli([flag], { cwd: tmp.path });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(`skopeo-ts version ${version}\n`);
      expect(result.stderr).toBe('');
    }
  });

  it('--version after other global flags goes through commander and prints the same', async () => {
    const result = await runCli(['--debug', '--version'], { cwd: tmp.path });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`skopeo-ts version ${version}\n`);
  });

  it('lists the commands and global flags in --help', async () => {
    const result = await runCli(['--help'], { cwd: tmp.path });
    expect(result.exitCode).toBe(0);
    for (const word of [
      'inspect',
      'copy',
      'delete',
      'manifest-digest',
      'plugins',
      '--plugin',
      '--override-arch',
      '--insecure-policy',
    ]) {
      expect(result.stdout).toContain(word);
    }
  });

  it('documents the command flags in `COMMAND --help`', async () => {
    const inspect = await runCli(['inspect', '--help'], { cwd: tmp.path });
    expect(inspect.exitCode).toBe(0);
    for (const word of ['--raw', '--config', '--format', '--no-tags', '--retry-times', '--tls-verify']) {
      expect(inspect.stdout).toContain(word);
    }
    const copy = await runCli(['copy', '--help'], { cwd: tmp.path });
    for (const word of [
      '--all',
      '--multi-arch',
      '--digestfile',
      '--dest-compress',
      '--src-shared-blob-dir',
      '--quiet',
    ]) {
      expect(copy.stdout).toContain(word);
    }
  });

  it('fails with status 1 and a message on stderr for usage errors', async () => {
    const unknownCommand = await runCli(['frobnicate'], { cwd: tmp.path });
    expect(unknownCommand.exitCode).toBe(1);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
    expect(unknownCommand.stdout).toBe('');
    const unknownFlag = await runCli(['inspect', '--frob', 'oci:/x'], { cwd: tmp.path });
    expect(unknownFlag.exitCode).toBe(1);
    expect(unknownFlag.stderr).toContain("unknown option '--frob'");
    const missingArgument = await runCli(['copy', 'oci:/x'], { cwd: tmp.path });
    expect(missingArgument.exitCode).toBe(1);
    expect(missingArgument.stderr).toContain('missing required argument');
  });

  it('refuses a reference without a transport, naming the expected form', async () => {
    const result = await runCli(['inspect', 'busybox'], { cwd: tmp.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('skopeo-ts: error: invalid reference "busybox"');
    expect(result.stderr).toContain('transport:reference');
  });

  it('accepts Go-style boolean flags (--flag=false) as skopeo does', async () => {
    const result = await runCli(['inspect', '--tls-verify=false', '--raw=false', '--help'], {
      cwd: tmp.path,
    });
    expect(result.exitCode).toBe(0);
  });

  it('manifest-digest prints the digest skopeo prints, for schema 2 and signed schema 1', async () => {
    const manifestPath = join(tmp.path, 'manifest.json');
    await writeFile(
      manifestPath,
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}',
    );
    const signedPath = join(tmp.path, 'signed-schema1.json');
    await writeFile(signedPath, signedSchema1Manifest());
    for (const path of [manifestPath, signedPath]) {
      const ours = await runCli(['manifest-digest', path], { cwd: tmp.path });
      const theirs = await runSkopeo(['manifest-digest', path]);
      expect(theirs.exitCode, theirs.stderr).toBe(0);
      expect(ours.exitCode, ours.stderr).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
    }
    // The signed manifest's digest leaves the signatures out: it is not the file's hash.
    const { createHash } = await import('node:crypto');
    const fileHash = `sha256:${createHash('sha256')
      .update(await readFile(signedPath))
      .digest('hex')}\n`;
    expect((await runCli(['manifest-digest', signedPath], { cwd: tmp.path })).stdout).not.toBe(fileHash);
  });

  it('manifest-digest of a missing file fails with the path in the message', async () => {
    const result = await runCli(['manifest-digest', join(tmp.path, 'nope.json')], { cwd: tmp.path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('nope.json');
  });
});
