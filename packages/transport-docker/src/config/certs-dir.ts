// TLS material for one registry, as containers/image finds it: --cert-dir, else the first
// existing directory of ~/.config/containers/certs.d/HOST[:PORT], /etc/containers/certs.d/...,
// /etc/docker/certs.d/... (HOST[:PORT] exactly as the reference spells the registry: no port is
// added). In it, `*.crt` are extra CAs (trusted besides the system ones), `*.cert` + `*.key`
// client certificate pairs; a `.cert` without its `.key`, or the reverse, is an error.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { type Context, IoError, SkopeoError } from '@skopeo-ts/core';
import { type ConfigEnvironment, configEnvironment, envValue, errnoCode, systemPath } from './environment.js';

/** Per-host certificate directories, most preferred first (only the first existing one is used). */
export function certsDirCandidates(hostPort: string, environment: ConfigEnvironment): string[] {
  return [
    path.join(environment.homeDir, '.config', 'containers', 'certs.d', hostPort),
    path.join(systemPath(environment, '/etc/containers/certs.d'), hostPort),
    path.join(systemPath(environment, '/etc/docker/certs.d'), hostPort),
  ];
}

/** The certificate directory for a registry: certDir when given, else the first candidate that exists. */
export async function findCertsDir(
  hostPort: string,
  options: { certDir?: string | undefined; environment: ConfigEnvironment },
): Promise<string | undefined> {
  if (options.certDir !== undefined && options.certDir !== '') return options.certDir;
  for (const dir of certsDirCandidates(hostPort, options.environment)) {
    try {
      await fs.stat(dir);
      return dir;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      if (code === 'EACCES' || code === 'EPERM') {
        options.environment.debug?.(`cannot access certs directory ${dir}: ${(error as Error).message}`);
        continue;
      }
      throw new IoError('checking certs directory', dir, error);
    }
  }
  return undefined;
}

export interface ClientCertificatePair {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface CertsDirContents {
  dir: string;
  /** PEM certificates from the `*.crt` files, in file-name order. */
  cas: string[];
  /** Client certificate pairs, in file-name order. */
  clientPairs: ClientCertificatePair[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** PEM certificates in a file's bytes; a DER certificate is converted. */
export function certificatesIn(data: Buffer): string[] {
  const pem = data.toString('latin1').match(PEM_CERTIFICATE);
  if (pem !== null) return pem.map((block) => `${block}\n`);
  try {
    return [new X509Certificate(data).toString()];
  } catch {
    return [];
  }
}

async function readDirFile(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    // Removed between the listing and the read: fine, as containers/image treats it.
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new IoError('reading', file, error);
  }
}

function invalidPair(message: string, hint?: string): SkopeoError {
  return new SkopeoError('INVALID_ARGUMENT', message, hint === undefined ? {} : { hint });
}

/** Reads a certificate directory; a missing or unreadable directory has nothing in it. */
export async function loadCertsDir(dir: string, environment?: ConfigEnvironment): Promise<CertsDirContents> {
  const contents: CertsDirContents = { dir, cas: [], clientPairs: [] };
  let names: string[];
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    names = entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return contents;
    if (code === 'EACCES' || code === 'EPERM') {
      environment?.debug?.(`skipping ${dir}: ${(error as Error).message}`);
      return contents;
    }
    throw new IoError('reading certs directory', dir, error);
  }
  names.sort();
  const present = new Set(names);
  for (const name of names) {
    const full = path.join(dir, name);
    if (name.endsWith('.crt')) {
      const data = await readDirFile(full);
      if (data === undefined) continue;
      const found = certificatesIn(data);
      if (found.length === 0) environment?.debug?.(`no certificate found in ${full}, ignoring it`);
      contents.cas.push(...found);
    } else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!present.has(keyName)) {
        throw invalidPair(
          `missing key ${keyName} for client certificate ${full}`,
          'CA certificates should use the extension .crt',
        );
      }
      const keyPath = path.join(dir, keyName);
      const [cert, key] = await Promise.all([readDirFile(full), readDirFile(keyPath)]);
      if (cert === undefined || key === undefined) continue;
      contents.clientPairs.push(checkedPair(cert, key, full, keyPath));
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`;
      if (!present.has(certName)) throw invalidPair(`missing client certificate ${certName} for key ${full}`);
    }
  }
  return contents;
}

function checkedPair(cert: Buffer, key: Buffer, certPath: string, keyPath: string): ClientCertificatePair {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw invalidPair(`client certificate ${certPath} is not a certificate: ${(error as Error).message}`);
  }
  try {
    const privateKey = createPrivateKey(key);
    if (!certificate.checkPrivateKey(privateKey)) {
      throw invalidPair(`private key ${keyPath} does not match client certificate ${certPath}`);
    }
  } catch (error) {
    if (error instanceof SkopeoError) throw error;
    throw invalidPair(`private key ${keyPath} cannot be used: ${(error as Error).message}`);
  }
  return { cert: cert.toString('utf8'), key: key.toString('utf8'), certPath, keyPath };
}

/** TLS options for undici's `connect` (Node's tls.connect options). */
export interface RegistryTlsOptions {
  /**
   * Trusted CAs: undefined means Node's default store. When the certs directory has CAs (or
   * SSL_CERT_FILE is set), Node's bundled roots, NODE_EXTRA_CA_CERTS and SSL_CERT_FILE come
   * first, so extra CAs add to the system ones instead of replacing them.
   */
  ca: string[] | undefined;
  /** The client certificate (first pair by file name), when the directory has one. */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  /** The certificate directory used, if any (for messages). */
  certDir?: string;
}

/** Certificates of a bundle named by the environment; an unreadable one is skipped, as Go does. */
async function bundleCertificates(
  file: string,
  variable: string,
  environment: ConfigEnvironment,
): Promise<string[]> {
  try {
    return certificatesIn(await fs.readFile(file));
  } catch (error) {
    environment.debug?.(`cannot read ${variable} ${file}: ${(error as Error).message}`);
    return [];
  }
}

export interface RegistryTlsOptionsInput {
  /** Registry host[:port] as in the reference ("localhost:5000", "quay.io"). */
  hostPort: string;
  ctx?: Context | undefined;
  environment?: ConfigEnvironment | undefined;
  /** registries.conf `insecure` for this endpoint; an explicit ctx.tls.verify overrides it. */
  insecure?: boolean | undefined;
}

/**
 * Everything TLS for one registry endpoint: CAs, client certificate, and whether to verify
 * (ctx.tls.verify when set, else not insecure in registries.conf).
 */
export async function registryTlsOptions(input: RegistryTlsOptionsInput): Promise<RegistryTlsOptions> {
  const environment = input.environment ?? configEnvironment(input.ctx);
  const rejectUnauthorized = input.ctx?.tls?.verify ?? !input.insecure;
  const dir = await findCertsDir(input.hostPort, { certDir: input.ctx?.tls?.certDir, environment });
  const contents = dir === undefined ? undefined : await loadCertsDir(dir, environment);
  const result: RegistryTlsOptions = { ca: undefined, rejectUnauthorized };
  if (dir !== undefined) result.certDir = dir;
  const sslCertFile = envValue(environment, 'SSL_CERT_FILE');
  if ((contents?.cas.length ?? 0) > 0 || sslCertFile !== undefined) {
    const ca = [...tls.rootCertificates];
    const extra = envValue(environment, 'NODE_EXTRA_CA_CERTS');
    if (extra !== undefined)
      ca.push(...(await bundleCertificates(extra, 'NODE_EXTRA_CA_CERTS', environment)));
    if (sslCertFile !== undefined)
      ca.push(...(await bundleCertificates(sslCertFile, 'SSL_CERT_FILE', environment)));
    ca.push(...(contents?.cas ?? []));
    result.ca = ca;
  }
  const pair = contents?.clientPairs[0];
  if (pair !== undefined) {
    result.cert = pair.cert;
    result.key = pair.key;
    if ((contents?.clientPairs.length ?? 0) > 1) {
      environment.debug?.(`${dir} has several client certificates; using ${pair.certPath}`);
    }
  }
  return result;
}
