// ssh:// engine hosts: one SSH connection (ssh2, loaded only when such a host is used), and per
// HTTP request one stream-local forwarding channel to the engine's socket on the remote side
// (`direct-streamlocal@openssh.com`, as `ssh -L local.sock:/var/run/docker.sock` does).
// Authentication by ssh-agent (SSH_AUTH_SOCK) and the usual key files; the host key must be in
// known_hosts.
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { type Context, contextEnv, SkopeoError } from '@skopeo-ts/core';
import type { AnyAuthMethod, Client as SshClient } from 'ssh2';
import {
  checkHostKey,
  type HostKeyVerdict,
  type KnownHostEntry,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from './known-hosts.js';
import type { DaemonHost } from './parse.js';

type SshHost = Extract<DaemonHost, { kind: 'ssh' }>;

/** Private keys tried in this order, as OpenSSH's defaults (minus DSA). */
const KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const READY_TIMEOUT_MS = 20_000;

export interface SshTunnel {
  /** A new channel to the remote engine socket. */
  openStream(): Promise<Duplex>;
  close(): void;
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

type Ssh2Module = typeof import('ssh2');

async function loadSsh2(): Promise<Ssh2Module> {
  const loaded = (await import('ssh2')) as Ssh2Module & { default?: Ssh2Module };
  // ssh2 is CommonJS: its exports arrive as named exports, or only as the default one.
  return loaded.Client === undefined && loaded.default !== undefined ? loaded.default : loaded;
}

async function authMethods(
  ssh2: Ssh2Module,
  username: string,
  home: string,
  ctx: Context,
): Promise<{ methods: AnyAuthMethod[]; tried: string[] }> {
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  const agent = contextEnv(ctx, 'SSH_AUTH_SOCK');
  if (agent !== undefined && agent !== '') {
    methods.push({ type: 'agent', username, agent });
    tried.push(`ssh-agent (${agent})`);
  }
  for (const name of KEY_FILES) {
    const path = join(home, '.ssh', name);
    const data = await readIfPresent(path);
    if (data === undefined) continue;
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      // A passphrase-protected key needs the agent; say so in the error, do not prompt.
      ctx.debug?.(`ssh: skipping ${path}: ${parsed.message}`);
      tried.push(`${path} (unusable: ${parsed.message}; load it into ssh-agent)`);
      continue;
    }
    methods.push({ type: 'publickey', username, key: data });
    tried.push(path);
  }
  return { methods, tried };
}

function hostKeyError(
  host: SshHost,
  verdict: HostKeyVerdict,
  presented: string,
  knownHostsPath: string,
): SkopeoError {
  const name = knownHostsName(host.hostname, host.port);
  switch (verdict.kind) {
    case 'changed':
      return new SkopeoError(
        'DENIED',
        `the SSH host key of ${name} (${presented}) does not match ${knownHostsPath} (line ${verdict.entries.map((e) => e.line).join(', ')}): someone may be intercepting the connection, or the host key has changed`,
        { hint: `if the host key really changed, remove the old entry: ssh-keygen -R '${name}'` },
      );
    case 'revoked':
      return new SkopeoError(
        'DENIED',
        `the SSH host key of ${name} (${presented}) is marked @revoked in ${knownHostsPath} (line ${verdict.entry.line})`,
      );
    default:
      return new SkopeoError(
        'DENIED',
        `the SSH host ${name} is not in ${knownHostsPath}: its key (${presented}) cannot be checked, so the connection was refused`,
        {
          hint: `check the key out of band, then add it: ssh-keyscan -p ${host.port} ${host.hostname} >> ${knownHostsPath}`,
        },
      );
  }
}

/** Connects and authenticates; rejects with a clear error for host key, login or network failures. */
export async function openSshTunnel(host: SshHost, ctx: Context): Promise<SshTunnel> {
  const ssh2 = await loadSsh2();
  const home = ctx.homeDir ?? homedir();
  const username = host.user ?? contextEnv(ctx, 'USER') ?? userInfo().username;
  const knownHostsPath = join(home, '.ssh', 'known_hosts');
  const entries: KnownHostEntry[] = parseKnownHosts(
    (await readIfPresent(knownHostsPath))?.toString('utf8') ?? '',
  );
  const lookupName = knownHostsName(host.hostname, host.port);
  const { methods, tried } = await authMethods(ssh2, username, home, ctx);
  const where = `ssh://${username}@${lookupName}`;
  if (methods.length === 0) {
    throw new SkopeoError(
      'UNAUTHORIZED',
      `no SSH key to log in to ${where}: no ssh-agent (SSH_AUTH_SOCK) and none of ~/.ssh/${KEY_FILES.join(', ~/.ssh/')} in ${home}`,
      {
        hint: 'create a key with ssh-keygen and authorize it on the host, or start ssh-agent',
      },
    );
  }

  const client: SshClient = new ssh2.Client();
  let hostKeyFailure: SkopeoError | undefined;
  const algorithms = preferredHostKeyAlgorithms(entries, lookupName);
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      client.end();
      reject(new SkopeoError('ABORTED', `connecting to ${where} was aborted`));
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (error?: Error) => {
      ctx.signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('ready');
      if (error === undefined) resolve();
      else reject(error);
    };
    client.once('ready', () => settle());
    client.once('error', (error: Error & { level?: string }) => {
      client.end();
      if (hostKeyFailure !== undefined) settle(hostKeyFailure);
      else if (error.level === 'client-authentication') {
        settle(
          new SkopeoError(
            'UNAUTHORIZED',
            `cannot log in to ${where}: the server refused every key (tried ${tried.join(', ')})`,
            {
              cause: error,
              hint: 'authorize one of these keys for the user on the host (~/.ssh/authorized_keys)',
            },
          ),
        );
      } else {
        settle(
          new SkopeoError('IO', `cannot connect to the Docker daemon host ${host.text}: ${error.message}`, {
            cause: error,
            hint: 'check that sshd runs there and the host and port are right',
          }),
        );
      }
    });
    client.connect({
      host: host.hostname,
      port: host.port,
      username,
      readyTimeout: READY_TIMEOUT_MS,
      authHandler: methods,
      ...(algorithms.length > 0 ? { algorithms: { serverHostKey: algorithms as never } } : {}),
      hostVerifier: (key: Buffer) => {
        const verdict = checkHostKey(entries, lookupName, key);
        if (verdict.kind === 'trusted') return true;
        hostKeyFailure = hostKeyError(host, verdict, keyTypeOf(key), knownHostsPath);
        return false;
      },
      ...(ctx.debug === undefined ? {} : { debug: (message: string) => ctx.debug?.(`ssh2: ${message}`) }),
    });
  });

  // The connection may drop later; requests then fail with this instead of hanging.
  let closedError: Error | undefined;
  client.on('error', (error: Error) => {
    closedError = error;
  });
  client.on('close', () => {
    closedError ??= new Error('the SSH connection closed');
  });
  return {
    openStream() {
      return new Promise((resolve, reject) => {
        if (closedError !== undefined) {
          reject(new SkopeoError('IO', `the SSH connection to ${where} is gone: ${closedError.message}`));
          return;
        }
        client.openssh_forwardOutStreamLocal(host.socketPath, (error, channel) => {
          if (error) {
            reject(
              new SkopeoError(
                'IO',
                `cannot reach the Docker daemon socket ${host.socketPath} through ${where}: ${error.message}`,
                {
                  cause: error,
                  hint: 'check the socket path (ssh://USER@HOST/path/to/docker.sock), that the user may open it, and that sshd allows AllowStreamLocalForwarding',
                },
              ),
            );
          } else {
            resolve(channel);
          }
        });
      });
    },
    close() {
      client.end();
    },
  };
}
