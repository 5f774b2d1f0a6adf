import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { isSkopeoError } from '@skopeo-ts/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  certificatesIn,
  certsDirCandidates,
  findCertsDir,
  loadCertsDir,
  registryTlsOptions,
} from './certs-dir.js';
import { type ConfigEnvironment, configEnvironment } from './environment.js';

// Certificates made once with openssl: a CA, a server certificate it signed for 127.0.0.1, a
// client certificate it signed, and a key that belongs to nothing.
let pki: string;
const pem: Record<string, string> = {};

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
}

beforeAll(async () => {
  pki = await fs.mkdtemp(path.join(os.tmpdir(), 'certs-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=config test CA',
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    await fs.writeFile(path.join(pki, `${name}.ext`), `${ext}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'stray.key');
  for (const name of ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key', 'stray.key']) {
    pem[name] = await fs.readFile(path.join(pki, name), 'utf8');
  }
});

afterAll(async () => {
  await fs.rm(pki, { recursive: true, force: true });
});

let tmp: string;
let home: string;
let root: string;

function environment(env: Record<string, string> = {}): ConfigEnvironment {
  return configEnvironment(undefined, {
    env,
    homeDir: home,
    systemRoot: root,
    uid: 1000,
    debug: () => undefined,
  });
}

async function put(dir: string, files: Record<string, string | Buffer>): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(dir, name), content);
  return dir;
}

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'certs-dir-'));
  home = path.join(tmp, 'home');
  root = path.join(tmp, 'root');
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('finding the directory', () => {
  it('searches ~/.config/containers, /etc/containers, /etc/docker certs.d by HOST:PORT', () => {
    expect(certsDirCandidates('localhost:5000', environment())).toEqual([
      path.join(home, '.config/containers/certs.d/localhost:5000'),
      path.join(root, 'etc/containers/certs.d/localhost:5000'),
      path.join(root, 'etc/docker/certs.d/localhost:5000'),
    ]);
  });

  it('uses --cert-dir as given, else the first directory that exists', async () => {
    const env = environment();
    expect(await findCertsDir('quay.io', { environment: env })).toBeUndefined();
    const docker = await put(path.join(root, 'etc/docker/certs.d/quay.io'), {});
    expect(await findCertsDir('quay.io', { environment: env })).toBe(docker);
    const etc = await put(path.join(root, 'etc/containers/certs.d/quay.io'), {});
    expect(await findCertsDir('quay.io', { environment: env })).toBe(etc);
    const user = await put(path.join(home, '.config/containers/certs.d/quay.io'), {});
    expect(await findCertsDir('quay.io', { environment: env })).toBe(user);
    expect(await findCertsDir('quay.io', { certDir: '/explicit', environment: env })).toBe('/explicit');
    // No port is added or dropped: quay.io:443 is another directory.
    expect(await findCertsDir('quay.io:443', { environment: env })).toBeUndefined();
  });
});

describe('reading the directory', () => {
  it('reads *.crt CAs (several per file, DER too) and *.cert/*.key pairs; ignores other files', async () => {
    const der = new X509Certificate(pem['ca.pem']!).raw;
    const dir = await put(path.join(tmp, 'd'), {
      'b.crt': pem['ca.pem']! + pem['server.pem']!,
      'a.crt': der,
      'client.cert': pem['client.pem']!,
      'client.key': pem['client.key']!,
      'README.txt': 'not a certificate',
      'ca.pem': pem['ca.pem']!,
    });
    const contents = await loadCertsDir(dir);
    expect(contents.cas).toHaveLength(3);
    expect(contents.cas[0]).toBe(new X509Certificate(der).toString());
    expect(contents.clientPairs).toEqual([
      {
        cert: pem['client.pem'],
        key: pem['client.key'],
        certPath: path.join(dir, 'client.cert'),
        keyPath: path.join(dir, 'client.key'),
      },
    ]);
    expect(await loadCertsDir(path.join(tmp, 'missing'))).toEqual({
      dir: path.join(tmp, 'missing'),
      cas: [],
      clientPairs: [],
    });
  });

  it.each([
    [
      'a .cert without its .key',
      { 'client.cert': 'x' },
      /missing key client\.key for client certificate .*client\.cert/,
    ],
    [
      'a .key without its .cert',
      { 'client.key': 'x' },
      /missing client certificate client\.cert for key .*client\.key/,
    ],
  ])('refuses %s, naming the file', async (_name, files, message) => {
    const dir = await put(path.join(tmp, 'd'), files);
    const error = await loadCertsDir(dir).catch((e: unknown) => e);
    expect(isSkopeoError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a pair whose key does not belong to the certificate', async () => {
    const dir = await put(path.join(tmp, 'd'), {
      'client.cert': pem['client.pem']!,
      'client.key': pem['stray.key']!,
    });
    await expect(loadCertsDir(dir)).rejects.toThrow(/client\.key does not match client certificate/);
  });

  it('finds PEM blocks among other text', () => {
    const text = `junk\n${pem['ca.pem']}more junk\n${pem['server.pem']}`;
    expect(certificatesIn(Buffer.from(text))).toHaveLength(2);
    expect(certificatesIn(Buffer.from('nothing here'))).toEqual([]);
  });
});

describe('registryTlsOptions', () => {
  it('without a certs directory keeps Node defaults and verifies', async () => {
    expect(await registryTlsOptions({ hostPort: 'quay.io', environment: environment() })).toEqual({
      ca: undefined,
      rejectUnauthorized: true,
    });
  });

  it('adds certs.d CAs after the system roots, with SSL_CERT_FILE, and the client pair', async () => {
    const dir = await put(path.join(root, 'etc/containers/certs.d/127.0.0.1:5000'), {
      'ca.crt': pem['ca.pem']!,
      'client.cert': pem['client.pem']!,
      'client.key': pem['client.key']!,
    });
    const bundle = await put(path.join(tmp, 'bundle'), { 'extra.pem': pem['server.pem']! });
    const options = await registryTlsOptions({
      hostPort: '127.0.0.1:5000',
      environment: environment({ SSL_CERT_FILE: path.join(bundle, 'extra.pem') }),
    });
    expect(options.certDir).toBe(dir);
    expect(options.ca?.slice(0, tls.rootCertificates.length)).toEqual([...tls.rootCertificates]);
    expect(options.ca?.slice(tls.rootCertificates.length)).toEqual([pem['server.pem'], pem['ca.pem']]);
    expect(options.cert).toBe(pem['client.pem']);
    expect(options.key).toBe(pem['client.key']);
    expect(options.rejectUnauthorized).toBe(true);
  });

  it.each([
    [undefined, undefined, true],
    [undefined, true, false],
    [false, undefined, false],
    [true, true, true],
    [false, false, false],
  ])(
    'ctx.tls.verify=%s with registries.conf insecure=%s verifies: %s',
    async (verify, insecure, expected) => {
      const options = await registryTlsOptions({
        hostPort: 'quay.io',
        ctx: verify === undefined ? {} : { tls: { verify } },
        insecure,
        environment: environment(),
      });
      expect(options.rejectUnauthorized).toBe(expected);
    },
  );

  it('--cert-dir replaces the certs.d search', async () => {
    await put(path.join(home, '.config/containers/certs.d/quay.io'), { 'ca.crt': pem['ca.pem']! });
    const explicit = await put(path.join(tmp, 'explicit'), {});
    const options = await registryTlsOptions({
      hostPort: 'quay.io',
      ctx: { tls: { certDir: explicit } },
      environment: environment(),
    });
    expect(options).toEqual({ ca: undefined, rejectUnauthorized: true, certDir: explicit });
  });

  it('its options complete a mutual-TLS handshake with a server of the test CA', async () => {
    const server = tls.createServer({
      key: pem['server.key'],
      cert: pem['server.pem'],
      ca: [pem['ca.pem']!],
      requestCert: true,
      rejectUnauthorized: true,
    });
    const clientSeen = new Promise<string>((resolve) => {
      server.on('secureConnection', (socket) => {
        resolve(String((socket.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN));
        socket.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await put(path.join(home, `.config/containers/certs.d/127.0.0.1:${port}`), {
        'ca.crt': pem['ca.pem']!,
        'client.cert': pem['client.pem']!,
        'client.key': pem['client.key']!,
      });
      const options = await registryTlsOptions({ hostPort: `127.0.0.1:${port}`, environment: environment() });
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
          resolve(socket.authorized);
          socket.end();
        });
        socket.on('error', reject);
      });
      expect(authorized).toBe(true);
      expect(await clientSeen).toBe('client');
    } finally {
      server.close();
    }
  });
});
