// TLS with a required client certificate (docker-registry's http.tls.clientcas): the client pair
// found in the cert dir (--cert-dir) or in certs.d/HOST:PORT is presented for pulls and pushes;
// without it the registry refuses the handshake and the error says so; a .cert without its .key
// is an error, not silently ignored. skopeo reads what we pushed with the same cert dir.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, copyImage, digestOf } from '@skopeo-ts/core';
import {
  buildOciImage,
  fixtures,
  skopeoInspect,
  startMtlsRegistry,
  verifyOciLayout,
  writeCertDir,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { describe, expect, it } from 'vitest';
import { docker, expectSkopeoError, uniqueRepo, useStarted, useTempDirs } from './helpers.js';

const tmp = useTempDirs();
const oci = (rest: string) => ociTransport.parseReference(rest);

describe('mutual TLS', () => {
  const registry = useStarted(() => startMtlsRegistry());

  /** A context that reads no file of the machine: an empty HOME, no environment. */
  const isolated = async (extra: Context = {}): Promise<Context> => ({
    homeDir: await tmp(),
    env: {},
    ...extra,
  });

  async function layout(): Promise<string> {
    const dir = await tmp();
    await buildOciImage(`${dir}/layout`, fixtures.multiLayer(), { tag: 'v1' });
    return `${dir}/layout:v1`;
  }

  it('pushes and pulls with the client pair from ctx.tls.certDir; skopeo --cert-dir reads the same digest', async () => {
    const certDir = await registry().makeCertDir();
    const ref = `//${registry().host}/${uniqueRepo('mtls')}:v1`;
    const pushed = await copyImage(oci(await layout()), docker(ref), {
      destinationContext: await isolated({ tls: { certDir } }),
    });
    const out = await tmp();
    const pulled = await copyImage(docker(ref), oci(`${out}/pulled:v1`), {
      sourceContext: await isolated({ tls: { certDir } }),
    });
    expect(pulled.digest).toBe(pushed.digest);
    await verifyOciLayout(`${out}/pulled`);
    const raw = await skopeoInspect(`docker:${ref}`, { raw: true, extraArgs: ['--cert-dir', certDir] });
    expect(raw.digest).toBe(pushed.digest);
  });

  it('finds the pair in ~/.config/containers/certs.d/HOST:PORT', async () => {
    const ref = `//${registry().host}/${uniqueRepo('mtls')}:v1`;
    const pushed = await copyImage(oci(await layout()), docker(ref), {
      destinationContext: await isolated({ tls: { certDir: await registry().makeCertDir() } }),
    });
    const homeDir = await tmp();
    await writeCertDir(join(homeDir, '.config/containers/certs.d', registry().host), registry().certificates);
    const source = await docker(ref).newSource({ homeDir, env: {} });
    try {
      expect(digestOf((await source.getManifest()).bytes)).toBe(pushed.digest);
    } finally {
      await source.close();
    }
  });

  it('without a client pair the copy fails with an error about the client certificate', async () => {
    const certDir = await registry().makeCertDir({ clientPair: false });
    const ref = `//${registry().host}/${uniqueRepo('mtls')}:v1`;
    const push = await expectSkopeoError(
      copyImage(oci(await layout()), docker(ref), {
        destinationContext: await isolated({ tls: { certDir } }),
      }),
      'IO',
    );
    const pull = await expectSkopeoError(
      copyImage(docker(ref), oci(`${await tmp()}/out:v1`), {
        sourceContext: await isolated({ tls: { certDir } }),
      }),
      'IO',
    );
    for (const error of [push, pull]) {
      const text = `${error.message}\n${(error as { hint?: string }).hint ?? ''}`;
      expect(text).toContain(registry().host);
      expect(text).toMatch(/certificate/i);
    }
  });

  it('a client .cert without its .key is an error naming the missing file', async () => {
    const certDir = await registry().makeCertDir({ unpairedClientCert: true });
    await writeFile(join(certDir, 'ca.crt'), registry().ca);
    const ref = `//${registry().host}/${uniqueRepo('mtls')}:v1`;
    await expect(
      copyImage(oci(await layout()), docker(ref), {
        destinationContext: await isolated({ tls: { certDir } }),
      }),
    ).rejects.toThrow(/client\.key/);
    // A source connects lazily: the first request reads the directory.
    const source = await docker(ref).newSource(await isolated({ tls: { certDir } }));
    try {
      await expect(source.getManifest()).rejects.toThrow(/client\.key/);
    } finally {
      await source.close();
    }
  });
});
