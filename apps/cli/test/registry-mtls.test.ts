// skopeo-ts against a real docker-registry that requires a client certificate
// (http.tls.clientcas, from testkit): copy and inspect find the client pair in --cert-dir,
// --src-cert-dir and --dest-cert-dir; without the pair the copy fails with a clear message; an
// unpaired .cert is an error. skopeo 1.9.3 reads what we pushed.
import { join } from 'node:path';
import {
  type BuiltImage,
  buildOciImage,
  fixtures,
  makeTempDir,
  runSkopeo,
  startMtlsRegistry,
  type TempDir,
  type TlsRegistry,
  verifyOciLayout,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

let tmp: TempDir;
let registry: TlsRegistry;
let image: BuiltImage;
/** ca.crt + client.cert + client.key */
let certDir: string;

beforeAll(async () => {
  tmp = await makeTempDir('skopeo-ts-cli-mtls');
  image = await buildOciImage(join(tmp.path, 'layout'), fixtures.single(), { tag: 'v1' });
  registry = await startMtlsRegistry();
  certDir = await registry.makeCertDir();
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await tmp?.cleanup();
});

const cli = (args: string[]) => runCli(args, { cwd: tmp.path });

describe('copy and inspect with a client certificate', () => {
  it('pushes with --dest-cert-dir, pulls with --src-cert-dir, inspects with --cert-dir', async () => {
    const ref = `docker://${registry.host}/mtls/app:v1`;
    const push = await cli(['copy', '--dest-cert-dir', certDir, image.reference, ref]);
    expect(push.exitCode, push.stderr).toBe(0);
    const check = await runSkopeo(['inspect', '--raw', '--cert-dir', certDir, ref]);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdoutBytes.equals(image.manifestBytes)).toBe(true);

    const out = join(tmp.path, 'pulled');
    const pull = await cli(['copy', '--src-cert-dir', certDir, ref, `oci:${out}:v1`]);
    expect(pull.exitCode, pull.stderr).toBe(0);
    await verifyOciLayout(out);

    const inspect = await cli(['inspect', '--raw', '--cert-dir', certDir, ref]);
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    expect(inspect.stdoutBytes.equals(image.manifestBytes)).toBe(true);
  });

  it('without the client pair the copy fails with a message about the certificate', async () => {
    const caOnly = await registry.makeCertDir({ clientPair: false });
    const ref = `docker://${registry.host}/mtls/refused:v1`;
    const push = await cli(['copy', '--dest-cert-dir', caOnly, image.reference, ref]);
    expect(push.exitCode).toBe(1);
    const pull = await cli(['copy', '--src-cert-dir', caOnly, ref, `oci:${join(tmp.path, 'refused')}:v1`]);
    expect(pull.exitCode).toBe(1);
    for (const result of [push, pull]) {
      expect(result.stderr).toContain(registry.host);
      expect(result.stderr).toMatch(/certificate/i);
    }
  });

  it('an unpaired client .cert is an error naming the missing .key', async () => {
    const unpaired = await registry.makeCertDir({ unpairedClientCert: true });
    const result = await cli([
      'inspect',
      '--cert-dir',
      unpaired,
      '--tls-verify=false',
      `docker://${registry.host}/mtls/app:v1`,
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/client\.key/);
  });
});
