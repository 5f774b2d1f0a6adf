// A test CA and a server certificate for 127.0.0.1/localhost it signs, made with openssl.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  makeTempDir,
  type RunningRegistry,
  requirePeer,
  startRegistry,
  type TempDir,
} from '@skopeo-ts/testkit';
import { afterAll, beforeAll } from 'vitest';

/** Writes ca.crt, server.crt and server.key into dir; returns their paths. */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const openssl = requirePeer('openssl', 'openssl');
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: 'ignore', cwd: dir });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=skopeo-ts test CA',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  execFileSync('sh', ['-c', 'printf "subjectAltName=DNS:localhost,IP:127.0.0.1\\n" > ext.cnf'], { cwd: dir });
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ]);
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

export interface TlsRegistry {
  /** The running registry (set once beforeAll ran). */
  registry: RunningRegistry;
  /** The PEM of the CA that signed its certificate. */
  ca: string;
}

/** Starts a real docker-registry serving TLS with a fresh test CA for the surrounding describe. */
export function useTlsRegistry(prefix: string): TlsRegistry {
  const handle = {} as TlsRegistry;
  let state: TempDir | undefined;
  beforeAll(async () => {
    state = await makeTempDir(prefix);
    const certs = makeCertificates(state.path);
    handle.ca = await readFile(certs.ca, 'utf8');
    handle.registry = await startRegistry({
      config: { http: { tls: { certificate: certs.cert, key: certs.key } } },
    });
  });
  afterAll(async () => {
    await handle.registry?.stop();
    await state?.cleanup();
  });
  return handle;
}
