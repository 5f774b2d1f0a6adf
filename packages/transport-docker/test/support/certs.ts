// A test CA and a server certificate for 127.0.0.1/localhost it signs, made with openssl.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { requirePeer } from '@skopeo-ts/testkit';

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
