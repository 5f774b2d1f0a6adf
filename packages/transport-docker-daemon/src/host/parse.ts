// Docker engine hosts as --daemon-host and DOCKER_HOST take them: unix://PATH, tcp://HOST[:PORT]
// (TLS when asked), http://HOST[:PORT], https://HOST[:PORT], and ssh://[USER@]HOST[:PORT][/SOCKET]
// (beyond skopeo: the engine's socket reached through sshd's stream-local forwarding).
import { type Context, contextEnv, SkopeoError } from '@skopeo-ts/core';

export const DEFAULT_DAEMON_HOST = 'unix:///var/run/docker.sock';
export const DEFAULT_REMOTE_SOCKET = '/var/run/docker.sock';
const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;
const DEFAULT_SSH_PORT = 22;

export type DaemonHost =
  | { kind: 'unix'; text: string; socketPath: string }
  /** tcp://, http:// (plain) and https:// (TLS); tcp:// gets TLS from the context or environment. */
  | {
      kind: 'tcp';
      text: string;
      scheme: 'tcp' | 'http' | 'https';
      hostname: string;
      port: number | undefined;
    }
  | {
      kind: 'ssh';
      text: string;
      user: string | undefined;
      hostname: string;
      port: number;
      socketPath: string;
    };

/** Where the host came from, for error messages. */
export type DaemonHostOrigin = 'the context (--daemon-host)' | 'DOCKER_HOST' | 'the default';

function invalid(text: string, origin: DaemonHostOrigin, reason: string): SkopeoError {
  return new SkopeoError(
    'INVALID_ARGUMENT',
    `invalid Docker daemon host "${text}" (from ${origin}): ${reason}`,
    {
      hint: 'use unix:///path/to/docker.sock, tcp://HOST:PORT, http://HOST:PORT or ssh://USER@HOST[:PORT][/path/to/docker.sock]',
    },
  );
}

function parsePort(value: string, text: string, origin: DaemonHostOrigin): number | undefined {
  if (value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(text, origin, `bad port "${value}"`);
  return port;
}

/** Parses a host string; throws INVALID_ARGUMENT naming the host and what is wrong. */
export function parseDaemonHost(
  text: string,
  origin: DaemonHostOrigin = 'the context (--daemon-host)',
): DaemonHost {
  const separator = text.indexOf('://');
  if (separator < 0) throw invalid(text, origin, 'expected SCHEME://…');
  const scheme = text.slice(0, separator).toLowerCase();
  const rest = text.slice(separator + 3);
  switch (scheme) {
    case 'unix': {
      if (rest === '') throw invalid(text, origin, 'the socket path is empty');
      return { kind: 'unix', text, socketPath: rest };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const authority = rest.endsWith('/') ? rest.slice(0, -1) : rest;
      if (authority.includes('@')) throw invalid(text, origin, 'credentials are not allowed here');
      if (authority.includes('/') || authority.includes('?') || authority.includes('#')) {
        throw invalid(text, origin, 'a path is not supported after HOST:PORT');
      }
      const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d*))?$/.exec(authority);
      if (match === null)
        throw invalid(text, origin, 'expected a HOST[:PORT] address, e.g. tcp://127.0.0.1:2376');
      return {
        kind: 'tcp',
        text,
        scheme,
        hostname: match[1] ?? '',
        port: parsePort(match[2] ?? '', text, origin),
      };
    }
    case 'ssh': {
      const slash = rest.indexOf('/');
      const authority = slash < 0 ? rest : rest.slice(0, slash);
      const socketPath = slash < 0 || slash === rest.length - 1 ? DEFAULT_REMOTE_SOCKET : rest.slice(slash);
      const at = authority.lastIndexOf('@');
      const user = at < 0 ? undefined : decodeURIComponent(authority.slice(0, at));
      if (user === '') throw invalid(text, origin, 'the user name before "@" is empty');
      if (user?.includes(':'))
        throw invalid(text, origin, 'passwords are not supported: use a key or ssh-agent');
      const hostPort = authority.slice(at + 1);
      const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d*))?$/.exec(hostPort);
      if (match === null)
        throw invalid(text, origin, 'expected ssh://[USER@]HOST[:PORT][/path/to/docker.sock]');
      const hostname = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
      const port = parsePort(match[2] ?? '', text, origin) ?? DEFAULT_SSH_PORT;
      return { kind: 'ssh', text, user, hostname, port, socketPath };
    }
    case 'npipe':
      throw invalid(text, origin, 'Windows named pipes are not supported');
    default:
      throw invalid(text, origin, `unsupported scheme "${scheme}://"`);
  }
}

/** The host to use: ctx.daemonHost, else DOCKER_HOST from ctx.env, else the local socket. */
export function resolveDaemonHost(ctx: Context): DaemonHost {
  if (ctx.daemonHost !== undefined && ctx.daemonHost !== '') return parseDaemonHost(ctx.daemonHost);
  const fromEnv = contextEnv(ctx, 'DOCKER_HOST');
  if (fromEnv !== undefined && fromEnv !== '') return parseDaemonHost(fromEnv, 'DOCKER_HOST');
  return parseDaemonHost(DEFAULT_DAEMON_HOST, 'the default');
}

export function defaultTcpPort(tls: boolean): number {
  return tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT;
}
