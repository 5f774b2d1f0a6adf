// TLS for tcp:// and https:// engine hosts, from the files Docker clients use: a directory with
// ca.pem, cert.pem and key.pem (ctx.tls.certDir, else DOCKER_CERT_PATH, else ~/.docker when
// DOCKER_TLS_VERIFY is set). The server certificate is verified unless ctx.tls.verify is false
// (docker's client skips verification when only DOCKER_CERT_PATH is set; we do not guess that).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Context, contextEnv, IoError, SkopeoError } from '@skopeo-ts/core';
import type { DaemonHost } from './parse.js';

export interface DaemonTls {
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  verify: boolean;
  /** Where the files came from, for messages. */
  certDir: string | undefined;
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IoError('reading the Docker daemon TLS file', path, error);
  }
}

function certDirOf(ctx: Context): string | undefined {
  if (ctx.tls?.certDir !== undefined && ctx.tls.certDir !== '') return ctx.tls.certDir;
  const fromEnv = contextEnv(ctx, 'DOCKER_CERT_PATH');
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const verify = contextEnv(ctx, 'DOCKER_TLS_VERIFY');
  if (verify !== undefined && verify !== '') return join(ctx.homeDir ?? homedir(), '.docker');
  return undefined;
}

/** TLS settings for a tcp-like host, or undefined for plain HTTP. */
export async function daemonTls(
  host: Extract<DaemonHost, { kind: 'tcp' }>,
  ctx: Context,
): Promise<DaemonTls | undefined> {
  if (host.scheme === 'http') return undefined;
  const certDir = certDirOf(ctx);
  const verifyEnv = contextEnv(ctx, 'DOCKER_TLS_VERIFY');
  const wantsTls =
    host.scheme === 'https' || certDir !== undefined || (verifyEnv !== undefined && verifyEnv !== '');
  if (!wantsTls) return undefined;
  const [ca, cert, key] =
    certDir === undefined
      ? [undefined, undefined, undefined]
      : await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map((name) => readOptional(join(certDir, name))));
  if ((cert === undefined) !== (key === undefined)) {
    throw new SkopeoError(
      'INVALID_ARGUMENT',
      `the Docker daemon TLS directory ${certDir} has ${cert === undefined ? 'key.pem but no cert.pem' : 'cert.pem but no key.pem'}`,
      { hint: 'a client certificate needs both cert.pem and key.pem' },
    );
  }
  return { ca, cert, key, verify: ctx.tls?.verify !== false, certDir };
}
