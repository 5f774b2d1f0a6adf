// An in-process HTTP proxy in front of a real registry, for fault injection: every request is
// logged, and rules may answer instead of the registry, change its answer, or cut it off. The Host
// header is passed on unchanged, so the registry's Locations point back to the proxy.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
}

export interface ProxyExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /**
   * Sends the request to the registry (its body too) and returns the registry's answer, unread.
   * With `bodyLimit`, only that many body bytes are passed on; then the upstream request and the
   * client's connection are cut (the promise then rejects).
   */
  forward(extraHeaders?: Record<string, string | undefined>, bodyLimit?: number): Promise<IncomingMessage>;
  /** Passes an answer on unchanged (with header changes). */
  relay(upstream: IncomingMessage, headers?: Record<string, string | undefined>): void;
}

/** A rule answers (returns true) or leaves the exchange to the next rule and the default relay. */
export type FaultRule = (exchange: ProxyExchange) => boolean | Promise<boolean>;

export interface FaultProxy {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  readonly port: number;
  readonly log: LoggedRequest[];
  /** Rules for the current test; cleared by reset(). */
  rules: FaultRule[];
  /** Clears the rules and the log. */
  reset(): void;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Passes on at most `limit` bytes of `req`, then cuts both sides. */
function pipeLimited(req: IncomingMessage, upstream: ReturnType<typeof request>, limit: number): void {
  let left = limit;
  const cut = () => {
    req.unpipe();
    upstream.destroy(new Error('fault proxy: request body cut'));
    req.socket.destroy();
  };
  if (left <= 0) {
    upstream.flushHeaders();
    setImmediate(cut);
    return;
  }
  req.on('data', (chunk: Buffer) => {
    if (left <= 0) return;
    const part = chunk.subarray(0, left);
    left -= part.length;
    upstream.write(part, () => {
      if (left <= 0) setTimeout(cut, 20);
    });
  });
  req.on('end', () => upstream.end());
}

/** Starts the proxy on 127.0.0.1, passing requests on to `upstreamHost` (`HOST:PORT`, plain HTTP). */
export async function startFaultProxy(upstreamHost: string): Promise<FaultProxy> {
  const [upstreamName, upstreamPort] = upstreamHost.split(':');
  const log: LoggedRequest[] = [];
  const proxy: Partial<FaultProxy> & { rules: FaultRule[]; log: LoggedRequest[] } = { rules: [], log };
  const server = createServer((req, res) => {
    // Cut connections are the point here: their errors must not end the test process.
    req.on('error', () => {});
    res.on('error', () => {});
    log.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const forward = (extraHeaders: Record<string, string | undefined> = {}, bodyLimit?: number) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const headers: Record<string, string | string[] | undefined> = { ...req.headers };
        for (const [key, value] of Object.entries(extraHeaders)) {
          if (value === undefined) delete headers[key.toLowerCase()];
          else headers[key.toLowerCase()] = value;
        }
        const upstream = request(
          { host: upstreamName, port: Number(upstreamPort), method: req.method, path: req.url, headers },
          (answer) => {
            answer.on('error', () => {});
            resolve(answer);
          },
        );
        upstream.on('error', reject);
        if (bodyLimit === undefined) req.pipe(upstream);
        else pipeLimited(req, upstream, bodyLimit);
      });
    const relay = (upstream: IncomingMessage, headers: Record<string, string | undefined> = {}) => {
      const out: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(upstream.headers)) if (value !== undefined) out[key] = value;
      for (const [key, value] of Object.entries(headers)) {
        if (value === undefined) delete out[key.toLowerCase()];
        else out[key.toLowerCase()] = value;
      }
      res.writeHead(upstream.statusCode ?? 502, out);
      upstream.pipe(res);
    };
    const exchange: ProxyExchange = { req, res, forward, relay };
    void (async () => {
      for (const rule of [...proxy.rules]) {
        if (await rule(exchange)) return;
      }
      relay(await forward());
    })().catch((error: unknown) => {
      if (res.destroyed) return;
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 1000;
  const port = await listen(server);
  return Object.assign(proxy, {
    host: `127.0.0.1:${port}`,
    port,
    reset() {
      proxy.rules = [];
      log.length = 0;
    },
    close: () => closeServer(server),
  }) as FaultProxy;
}

/** Reads a request body to its end (rules that answer themselves must drain it). */
export async function drainRequest(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface OriginServer {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  readonly port: number;
  readonly log: LoggedRequest[];
  close(): Promise<void>;
}

/** A plain HTTP server on another loopback port, for "another origin" (a CDN, a rogue Location). */
export async function startOriginServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<OriginServer> {
  const log: LoggedRequest[] = [];
  const server = createServer((req, res) => {
    log.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    void Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  const port = await listen(server);
  return { host: `127.0.0.1:${port}`, port, log, close: () => closeServer(server) };
}
