// HTTP to a Docker engine (or podman's Docker API) with undici, over whatever the host names: a
// unix socket, TCP with or without TLS, or an SSH channel. One undici Client (one connection,
// kept alive between the one to three requests of a daemon operation) per EngineClient. Only
// undici's Client and request API are loaded, on the first connection, not its whole index.
import { isIP, type Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { type Context, SkopeoError } from '@skopeo-ts/core';
import type { buildConnector, Client, Dispatcher } from 'undici';
import { type DaemonHost, defaultTcpPort, resolveDaemonHost } from '../host/parse.js';
import type { SshTunnel } from '../host/ssh.js';
import { daemonTls } from '../host/tls.js';
import { negotiateApiVersion } from './api-version.js';
import { readLimited } from './body.js';

export interface EngineRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  /** Path below the version prefix, e.g. `/images/load?quiet=1`. */
  path: string;
  headers?: Record<string, string>;
  /** Streamed as the request body (chunked). */
  body?: Readable;
  signal?: AbortSignal | undefined;
  /**
   * A long transfer (image save or load): no undici header or body timeouts. An image load
   * answers only when the whole archive arrived, which lasts as long as the copy does.
   */
  long?: boolean;
}

export interface EngineResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface EngineExchange {
  response: Promise<EngineResponse>;
  /** Cuts the request (and its connection): the engine sees a truncated body. */
  cancel(reason: Error): void;
}

interface UndiciParts {
  Client: typeof Client;
  request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
}

let undiciParts: Promise<UndiciParts> | undefined;

function loadUndici(): Promise<UndiciParts> {
  undiciParts ??= Promise.all([
    import('undici/lib/dispatcher/client.js'),
    import('undici/lib/api/api-request.js'),
  ]).then(([client, request]) => ({ Client: client.default, request: request.default }));
  return undiciParts;
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPERM',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The engine's JSON error message (`{"message": …}`), or the raw text. */
export function engineMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; cause?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return body.trim();
}

/** The origin undici sends to, and how it connects there. */
interface Connection {
  origin: string;
  options: Client.Options;
  tunnel: SshTunnel | undefined;
}

/** An ssh channel handed to undici as its socket (it needs only a Duplex). */
function sshConnector(tunnel: SshTunnel): buildConnector.connector {
  return (_options, callback) => {
    tunnel.openStream().then(
      // undici uses the socket's stream side only (ref/unref and QoS when present).
      (stream: Duplex) => callback(null, stream as unknown as Socket),
      (error: Error) => callback(error, null),
    );
  };
}

async function connectionFor(host: DaemonHost, ctx: Context): Promise<Connection> {
  switch (host.kind) {
    case 'unix':
      // The API ignores Host; `docker` is what the docker client sends on sockets.
      return { origin: 'http://docker', options: { socketPath: host.socketPath }, tunnel: undefined };
    case 'tcp': {
      const tls = await daemonTls(host, ctx);
      const secure = tls !== undefined;
      const port = host.port ?? defaultTcpPort(secure);
      const origin = `${secure ? 'https' : 'http'}://${host.hostname}:${port}`;
      if (tls === undefined) return { origin, options: {}, tunnel: undefined };
      const hostname = host.hostname.replace(/^\[(.*)\]$/, '$1');
      return {
        origin,
        options: {
          connect: {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            rejectUnauthorized: tls.verify,
            // SNI takes names only; an IP address is checked against the certificate's IP SANs.
            ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
          },
        },
        tunnel: undefined,
      };
    }
    case 'ssh': {
      const { openSshTunnel } = await import('../host/ssh.js');
      const tunnel = await openSshTunnel(host, ctx);
      return { origin: 'http://docker', options: { connect: sshConnector(tunnel) }, tunnel };
    }
  }
}

export class EngineClient {
  private constructor(
    readonly host: DaemonHost,
    private readonly dispatcher: Client,
    private readonly request: UndiciParts['request'],
    private readonly tunnel: SshTunnel | undefined,
    private apiVersion: string,
  ) {}

  /** Connects to the context's engine host and agrees on an API version. */
  static async open(ctx: Context): Promise<EngineClient> {
    const host = resolveDaemonHost(ctx);
    const [parts, connection] = await Promise.all([loadUndici(), connectionFor(host, ctx)]);
    const dispatcher = new parts.Client(connection.origin, connection.options);
    const client = new EngineClient(host, dispatcher, parts.request, connection.tunnel, '');
    try {
      client.apiVersion = negotiateApiVersion(await client.serverApiVersion(ctx.signal), host.text);
      ctx.debug?.(`docker-daemon: ${host.text} speaks engine API ${client.apiVersion}`);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /** The version the engine offers: the API-Version header of /_ping, else /version's ApiVersion. */
  private async serverApiVersion(signal: AbortSignal | undefined): Promise<string | undefined> {
    const ping = await this.start('/_ping', { method: 'GET', path: '/_ping', signal }).response;
    const header = ping.headers['api-version'];
    const body = await readLimited(ping.body, 64 * 1024);
    if (typeof header === 'string' && header !== '') return header;
    if (ping.statusCode !== 200) {
      throw new SkopeoError(
        'IO',
        `the Docker daemon at ${this.host.text} answered /_ping with ${ping.statusCode}: ${engineMessage(body)}`,
      );
    }
    const version = await this.start('/version', { method: 'GET', path: '/version', signal }).response;
    const text = await readLimited(version.body, 1024 * 1024);
    try {
      const value = (JSON.parse(text) as { ApiVersion?: unknown }).ApiVersion;
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Sends a request under `/vX.Y`; the body (if any) is streamed. */
  send(request: EngineRequest): EngineExchange {
    return this.start(`/v${this.apiVersion}${request.path}`, request);
  }

  /** Sends a request and reads the whole (small) answer. */
  async call(request: EngineRequest, limit = 1024 * 1024): Promise<{ status: number; body: string }> {
    const res = await this.send(request).response;
    return { status: res.statusCode, body: await readLimited(res.body, limit) };
  }

  private start(path: string, request: EngineRequest): EngineExchange {
    // One controller per request: the caller's signal, or cancel(), cuts it.
    const controller = new AbortController();
    const onAbort = () => controller.abort(request.signal?.reason);
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
    const options: Dispatcher.RequestOptions = {
      method: request.method,
      path,
      headers: { Host: this.host.kind === 'tcp' ? this.host.hostname : 'docker', ...request.headers },
      body: request.body ?? null,
      signal: controller.signal,
      ...(request.long === true ? { headersTimeout: 0, bodyTimeout: 0 } : {}),
    };
    const response = this.request.call(this.dispatcher, options).then(
      (data): EngineResponse => {
        data.body.once('close', () => request.signal?.removeEventListener('abort', onAbort));
        return { statusCode: data.statusCode, headers: data.headers, body: data.body };
      },
      (error: unknown) => {
        request.signal?.removeEventListener('abort', onAbort);
        throw this.connectionError(error, request.signal);
      },
    );
    // Judged by whoever awaits it; never an unhandled rejection when the body fails first.
    response.catch(() => {});
    return { response, cancel: (reason) => controller.abort(reason) };
  }

  /** Turns a socket-level failure into an error that names the host. */
  connectionError(error: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted || (error as Error | undefined)?.name === 'AbortError') {
      return new SkopeoError('ABORTED', `request to the Docker daemon at ${this.host.text} aborted`, {
        cause: error,
      });
    }
    if (error instanceof SkopeoError || (error as { brand?: unknown }).brand === 'skopeo-ts.error')
      return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (code !== undefined && CONNECTION_ERRORS.has(code)) {
      return new SkopeoError('IO', `cannot connect to the Docker daemon at ${this.host.text}: ${message}`, {
        cause: error,
        hint: 'is the docker daemon running? Name another with --daemon-host (or DOCKER_HOST)',
      });
    }
    if (code !== undefined && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO/.test(code)) {
      return new SkopeoError('IO', `TLS with the Docker daemon at ${this.host.text} failed: ${message}`, {
        cause: error,
        hint: 'the CA, client certificate and key come from ca.pem, cert.pem and key.pem in --cert-dir or DOCKER_CERT_PATH',
      });
    }
    return new SkopeoError('IO', `talking to the Docker daemon at ${this.host.text}: ${message}`, {
      cause: error,
    });
  }

  /** Ends the connection (and the SSH connection, if any); a request still running is cut. */
  close(): void {
    this.dispatcher.destroy().catch(() => {});
    this.tunnel?.close();
  }
}
