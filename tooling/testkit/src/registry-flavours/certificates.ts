// Test certificates made with openssl: a server CA and the server certificate it signs (SAN
// DNS:localhost, IP:127.0.0.1), and a separate client CA with one client certificate, so that a
// test can tell "the server is trusted" apart from "the client is accepted".
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '../peers.js';

export interface TestCertificates {
  /** The directory holding every file below. */
  readonly dir: string;
  /** The CA that signed the server certificate (PEM file, and its text). */
  readonly caPath: string;
  readonly caPem: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  /** The CA the registry trusts for client certificates (`http.tls.clientcas`). */
  readonly clientCaPath: string;
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

const DAYS = '2';

/** A new P-256 key and a certificate for `subject`, self-signed (a CA) or signed by `issuer`. */
function makePair(
  openssl: string,
  dir: string,
  name: string,
  subject: string,
  issuer?: { cert: string; key: string; extensions: string },
): void {
  const run = (args: string[]) =>
    execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  if (issuer === undefined) {
    run([
      'req',
      '-x509',
      ...curve,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      DAYS,
      '-subj',
      subject,
    ]);
    return;
  }
  run(['req', ...curve, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  // The extensions go through a file: `x509 -req` has no option for them on older openssl.
  writeFileSync(join(dir, `${name}.ext`), `${issuer.extensions}\n`);
  run([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    issuer.cert,
    '-CAkey',
    issuer.key,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    DAYS,
    '-extfile',
    `${name}.ext`,
  ]);
}

/** Makes every certificate into `dir` (created when missing). Needs openssl. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const openssl = requirePeer('openssl', 'openssl');
  await mkdir(dir, { recursive: true });
  makePair(openssl, dir, 'ca', '/CN=skopeo-ts test server CA');
  makePair(openssl, dir, 'server', '/CN=127.0.0.1', {
    cert: 'ca.crt',
    key: 'ca.key',
    extensions: 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth',
  });
  makePair(openssl, dir, 'client-ca', '/CN=skopeo-ts test client CA');
  makePair(openssl, dir, 'client', '/CN=skopeo-ts test client', {
    cert: 'client-ca.crt',
    key: 'client-ca.key',
    extensions: 'extendedKeyUsage=clientAuth',
  });
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  return {
    dir,
    caPath: join(dir, 'ca.crt'),
    caPem: await read('ca.crt'),
    serverCertPath: join(dir, 'server.crt'),
    serverKeyPath: join(dir, 'server.key'),
    clientCaPath: join(dir, 'client-ca.crt'),
    clientCertPath: join(dir, 'client.crt'),
    clientKeyPath: join(dir, 'client.key'),
    clientCertPem: await read('client.crt'),
    clientKeyPem: await read('client.key'),
  };
}

export interface CertDirOptions {
  /** Write the server CA as `ca.crt` (default true). */
  ca?: boolean;
  /** Write the client pair as `client.cert` + `client.key` (default true). */
  clientPair?: boolean;
  /** Write only `client.cert`, without its key: a broken directory (default false). */
  unpairedClientCert?: boolean;
}

/**
 * Writes a certs.d-style directory (what `--cert-dir` and `certs.d/HOST:PORT` hold): `*.crt` CAs,
 * `*.cert` + `*.key` client pairs. Returns `dir`.
 */
export async function writeCertDir(
  dir: string,
  certificates: TestCertificates,
  options: CertDirOptions = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  if (options.ca ?? true) await writeFile(join(dir, 'ca.crt'), certificates.caPem);
  if (options.unpairedClientCert) {
    await writeFile(join(dir, 'client.cert'), certificates.clientCertPem);
  } else if (options.clientPair ?? true) {
    await writeFile(join(dir, 'client.cert'), certificates.clientCertPem);
    await writeFile(join(dir, 'client.key'), certificates.clientKeyPem, { mode: 0o600 });
  }
  return dir;
}
