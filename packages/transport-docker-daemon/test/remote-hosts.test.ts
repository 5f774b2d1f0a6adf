// Remote engine hosts against one dockerd (with a TLS port) and one sshd: ssh:// through sshd's
// stream-local forwarding to dockerd's socket, and tcp:// with mutual TLS.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, copyImage } from '@skopeo-ts/core';
import {
  buildOciImage,
  fixtures,
  freePort,
  type RunningDockerd,
  type RunningSshd,
  startDockerd,
  startSshd,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemon, expectSkopeoError, oci, ociConfigOf, uniqueName, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
let dockerd: RunningDockerd;
let sshd: RunningSshd;

beforeAll(async () => {
  dockerd = await startDockerd({ tls: true });
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  await dockerd?.stop();
});

/** oci → daemon → oci through `ctx`; checks the engine has the image and the DiffIDs survive. */
async function roundTrip(ctx: Context): Promise<void> {
  const scratch = await tempDir();
  const image = await buildOciImage(join(scratch, 'source'), fixtures.single());
  const name = `${uniqueName('remote')}:v1`;
  await copyImage(oci(`${image.layoutDir}:latest`), daemon(name), { destinationContext: ctx });
  expect((await dockerd.client.inspectImage(name))?.RootFS.Layers).toEqual(image.diffIds);
  const result = await copyImage(daemon(name), oci(`${scratch}/back:v1`), { sourceContext: ctx });
  expect((await ociConfigOf(`${scratch}/back`, result.digest)).json.rootfs.diff_ids).toEqual(image.diffIds);
}

describe('ssh:// hosts', () => {
  const sshHost = (path = dockerd.socketPath) => `ssh://${sshd.user}@127.0.0.1:${sshd.port}${path}`;

  it('copies in and out through sshd to the engine socket, with the host key in known_hosts', async () => {
    await roundTrip({ daemonHost: sshHost(), homeDir: await sshd.makeHome(), env: {} });
  });

  it('accepts a hashed known_hosts entry (ssh-keygen -H)', async () => {
    await roundTrip({ daemonHost: sshHost(), homeDir: await sshd.makeHome({ hashed: true }), env: {} });
  });

  it('takes the host from DOCKER_HOST too', async () => {
    await roundTrip({ homeDir: await sshd.makeHome(), env: { DOCKER_HOST: sshHost() } });
  });

  it('refuses a host whose key differs from known_hosts, saying so', async () => {
    const ctx = { daemonHost: sshHost(), homeDir: await sshd.makeHome({ wrongKey: true }), env: {} };
    const error = await expectSkopeoError(daemon('busybox:latest').newSource(ctx), 'DENIED');
    expect(error.message).toContain(`[127.0.0.1]:${sshd.port}`);
    expect(error.message).toMatch(/does not match .*known_hosts/);
  });

  it('refuses a host that is not in known_hosts (never accepted silently)', async () => {
    const ctx = { daemonHost: sshHost(), homeDir: await sshd.makeHome({ noKnownHosts: true }), env: {} };
    const error = await expectSkopeoError(daemon('busybox:latest').newDestination(ctx), 'DENIED');
    expect(error.message).toMatch(/is not in .*known_hosts/);
  });

  it('without a usable key: UNAUTHORIZED, naming where keys were looked for', async () => {
    const home = await tempDir();
    await mkdir(join(home, '.ssh'));
    await writeFile(join(home, '.ssh', 'known_hosts'), `${sshd.knownHostsLine()}\n`);
    const error = await expectSkopeoError(
      daemon('busybox:latest').newSource({ daemonHost: sshHost(), homeDir: home, env: {} }),
      'UNAUTHORIZED',
    );
    expect(error.message).toContain('id_ed25519');
  });

  it('a key the server does not accept: UNAUTHORIZED', async () => {
    const home = await sshd.makeHome();
    // A fresh key that sshd has never seen, in place of the authorized one.
    await rm(join(home, '.ssh', 'id_ed25519'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(home, '.ssh', 'id_ed25519')]);
    const error = await expectSkopeoError(
      daemon('busybox:latest').newSource({ daemonHost: sshHost(), homeDir: home, env: {} }),
      'UNAUTHORIZED',
    );
    expect(error.message).toMatch(/refused every key/);
  });

  it('a remote socket that does not exist is an IO error naming it', async () => {
    const ctx = { daemonHost: sshHost('/nonexistent/docker.sock'), homeDir: await sshd.makeHome(), env: {} };
    const error = await expectSkopeoError(daemon('busybox:latest').newSource(ctx), 'IO');
    expect(error.message).toContain('/nonexistent/docker.sock');
  });

  it('an SSH port nobody listens on is an IO error naming the host', async () => {
    const host = `ssh://${sshd.user}@127.0.0.1:${await freePort()}`;
    const error = await expectSkopeoError(
      daemon('busybox:latest').newSource({ daemonHost: host, homeDir: await sshd.makeHome(), env: {} }),
      'IO',
    );
    expect(error.message).toContain(host);
  });

  it('a missing image through ssh is NOT_FOUND', async () => {
    const ctx = { daemonHost: sshHost(), homeDir: await sshd.makeHome(), env: {} };
    await expectSkopeoError(daemon('localhost/skopeo-ts-missing:v1').newSource(ctx), 'NOT_FOUND');
  });
});

describe('tcp:// hosts with TLS', () => {
  const tls = () => {
    if (dockerd.tls === undefined) throw new Error('dockerd has no TLS port');
    return dockerd.tls;
  };

  it('copies in and out with ctx.tls.certDir (ca.pem, cert.pem, key.pem)', async () => {
    await roundTrip({ daemonHost: tls().host, tls: { certDir: tls().certs.clientDir }, env: {} });
  });

  it('copies in and out with DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    await roundTrip({
      env: { DOCKER_HOST: tls().host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls().certs.clientDir },
    });
  });

  it('plain HTTP to the TLS port fails clearly', async () => {
    const error = await expectSkopeoError(
      daemon('busybox:latest').newSource({ daemonHost: tls().host, env: {} }),
      'IO',
    );
    expect(error.message).toContain(tls().host);
  });

  it('an unknown CA fails verification; tls.verify=false skips it', async () => {
    const dir = await tempDir();
    await copyFile(join(tls().certs.clientDir, 'cert.pem'), join(dir, 'cert.pem'));
    await copyFile(join(tls().certs.clientDir, 'key.pem'), join(dir, 'key.pem'));
    const error = await expectSkopeoError(
      daemon('busybox:latest').newSource({ daemonHost: tls().host, tls: { certDir: dir }, env: {} }),
      'IO',
    );
    expect(error.message).toMatch(/TLS|certificate/);
    await roundTrip({ daemonHost: tls().host, tls: { certDir: dir, verify: false }, env: {} });
  });

  it('a client certificate without its key is refused before connecting', async () => {
    const dir = await tempDir();
    await copyFile(join(tls().certs.clientDir, 'cert.pem'), join(dir, 'cert.pem'));
    await expectSkopeoError(
      daemon('busybox:latest').newSource({ daemonHost: tls().host, tls: { certDir: dir }, env: {} }),
      'INVALID_ARGUMENT',
    );
  });
});
