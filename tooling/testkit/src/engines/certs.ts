// A throwaway CA with a server pair for 127.0.0.1/localhost and a client pair, made with
// openssl, laid out the way Docker clients expect a DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requirePeer } from '../peers.js';

const run = promisify(execFile);

export interface EngineCertificates {
  /** DOCKER_CERT_PATH for clients: ca.pem, cert.pem (client), key.pem (client key). */
  clientDir: string;
  caPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCertPath: string;
  clientKeyPath: string;
}

async function signedPair(
  openssl: string,
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  ca: { cert: string; key: string },
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}-cert.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await run(openssl, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', subject, '-out', csr]);
  await run(openssl, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/** Writes a CA, a server pair and a client pair under `dir`. */
export async function makeEngineCertificates(dir: string): Promise<EngineCertificates> {
  const openssl = requirePeer('openssl', 'openssl');
  await mkdir(dir, { recursive: true });
  const caKey = join(dir, 'ca-key.pem');
  const caPath = join(dir, 'ca.pem');
  await run(openssl, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    caPath,
    '-days',
    '2',
    '-subj',
    '/CN=skopeo-ts test engine CA',
  ]);
  const ca = { cert: caPath, key: caKey };
  const server = await signedPair(
    openssl,
    dir,
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    ca,
  );
  const client = await signedPair(openssl, dir, 'client', '/CN=client', 'extendedKeyUsage=clientAuth\n', ca);
  // Docker's client layout: one directory holding ca.pem, cert.pem and key.pem.
  const clientDir = join(dir, 'client');
  await mkdir(clientDir);
  await copyFile(caPath, join(clientDir, 'ca.pem'));
  await copyFile(client.cert, join(clientDir, 'cert.pem'));
  await copyFile(client.key, join(clientDir, 'key.pem'));
  return {
    clientDir,
    caPath,
    serverCertPath: server.cert,
    serverKeyPath: server.key,
    clientCertPath: client.cert,
    clientKeyPath: client.key,
  };
}
