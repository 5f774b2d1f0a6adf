// HTTP to a Docker engine (or podman's Docker API) over whatever the host names: a unix socket,
// TCP with or without TLS, or an SSH channel. node:http takes a custom stream per connection
// (`createConnection`), which is all an SSH channel needs; a daemon operation makes one to three
// requests, so there is no pooling to gain from a heavier client.
import {
  type ClientRequest,
  type IncomingMessage,
  request as httpRequest,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { type Context, SkopeoError } from '@skopeo-ts/core';
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
}

export interface EngineExchange {
  request: ClientRequest;
  response: Promise<IncomingMessage>;
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

export class EngineClient {
  private constructor(
    readonly host: DaemonHost,
    private readonly base: RequestOptions,
    private readonly secure: boolean,
    private readonly tunnel: SshTunnel | undefined,
    private apiVersion: string,
  ) {}

  /** Connects to the context's engine host and agrees on an API version. */
  static async open(ctx: Context): Promise<EngineClient> {
    const host = resolveDaemonHost(ctx);
    let base: RequestOptions;
    let secure = false;
    let tunnel: SshTunnel | undefined;
    switch (host.kind) {
      case 'unix':
        base = { socketPath: host.socketPath };
        break;
      case 'tcp': {
        const tls = await daemonTls(host, ctx);
        secure = tls !== undefined;
        const hostname = host.hostname.replace(/^\[(.*)\]$/, '$1');
        base = {
          host: hostname,
          port: host.port ?? defaultTcpPort(secure),
          ...(tls === undefined
            ? {}
            : {
                ca: tls.ca,
                cert: tls.cert,
                key: tls.key,
                rejectUnauthorized: tls.verify,
                // SNI takes names only; an IP address is checked against the certificate's IP SANs.
                ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
              }),
        };
        break;
      }
      case 'ssh': {
        const { openSshTunnel } = await import('../host/ssh.js');
        const opened = await openSshTunnel(host, ctx);
        tunnel = opened;
        base = {
          createConnection: ((_options: unknown, done: (error: Error | null, stream?: Duplex) => void) => {
            opened.openStream().then(
              (stream) => done(null, stream),
              (error: Error) => done(error),
            );
            return undefined;
          }) as unknown as RequestOptions['createConnection'],
        };
        break;
      }
    }
    const client = new EngineClient(host, base, secure, tunnel, '');
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
    const ping = await this.exchangeUnversioned({ method: 'GET', path: '/_ping', signal });
    const header = ping.headers['api-version'];
    const body = await readLimited(ping, 64 * 1024);
    if (typeof header === 'string' && header !== '') return header;
    if (ping.statusCode !== 200) {
      throw new SkopeoError(
        'IO',
        `the Docker daemon at ${this.host.text} answered /_ping with ${ping.statusCode}: ${engineMessage(body)}`,
      );
    }
    const version = await this.exchangeUnversioned({ method: 'GET', path: '/version', signal });
    const text = await readLimited(version, 1024 * 1024);
    try {
      const value = (JSON.parse(text) as { ApiVersion?: unknown }).ApiVersion;
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private async exchangeUnversioned(request: EngineRequest): Promise<IncomingMessage> {
    const { response, request: req } = this.start(request.path, request);
    req.end();
    return response;
  }

  /** Sends a request under `/vX.Y`; the body (if any) is piped in. */
  send(request: EngineRequest): EngineExchange {
    const exchange = this.start(`/v${this.apiVersion}${request.path}`, request);
    if (request.body === undefined) {
      exchange.request.end();
    } else {
      request.body.once('error', (error) => exchange.request.destroy(error));
      request.body.pipe(exchange.request);
    }
    return exchange;
  }

  /** Sends a request and reads the whole (small) answer. */
  async call(request: EngineRequest, limit = 1024 * 1024): Promise<{ status: number; body: string }> {
    const res = await this.send(request).response;
    return { status: res.statusCode ?? 0, body: await readLimited(res, limit) };
  }

  private start(path: string, request: EngineRequest): EngineExchange {
    const options: RequestOptions = {
      ...this.base,
      method: request.method,
      path,
      // The API ignores Host, but HTTP/1.1 needs one; `docker` is what the docker client sends on sockets.
      headers: { Host: this.host.kind === 'tcp' ? `${this.host.hostname}` : 'docker', ...request.headers },
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    };
    const req = this.secure ? httpsRequest(options) : httpRequest(options);
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', (error) => reject(this.connectionError(error, request.signal)));
    });
    // Judged by whoever awaits it; never an unhandled rejection when the body fails first.
    response.catch(() => {});
    return { request: req, response };
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

  /** Ends the SSH connection, if any; plain sockets close with their requests. */
  close(): void {
    this.tunnel?.close();
  }
}
