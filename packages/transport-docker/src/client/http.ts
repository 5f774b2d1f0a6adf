// Connections: one undici Agent per registry client (keep-alive pools per origin), or one
// ProxyAgent per proxy; TLS settings of the registry apply to every connection it makes.
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, ProxyAgent, request } from 'undici';
import type { ProxyResolver, TlsSettings } from './settings.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  url: URL;
}

export interface SendOptions {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | Readable | undefined;
  signal?: AbortSignal | undefined;
}

const KEEP_ALIVE_MS = 30_000;

/** The dispatchers of one registry client; close() ends their connections. */
export class Connections {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private closed = false;

  constructor(
    private readonly tls: TlsSettings,
    private readonly proxy: ProxyResolver,
  ) {}

  private connectOptions() {
    return {
      rejectUnauthorized: this.tls.verify,
      ...(this.tls.ca !== undefined && this.tls.ca.length > 0 ? { ca: [...this.tls.ca] } : {}),
      ...(this.tls.cert !== undefined ? { cert: this.tls.cert } : {}),
      ...(this.tls.key !== undefined ? { key: this.tls.key } : {}),
    };
  }

  dispatcherFor(url: URL): Dispatcher {
    if (this.closed) throw new Error('the registry client is closed');
    const proxy = this.proxy.proxyFor(url);
    const key = proxy ?? 'direct';
    let dispatcher = this.dispatchers.get(key);
    if (dispatcher === undefined) {
      const common = { keepAliveTimeout: KEEP_ALIVE_MS, connections: 16 };
      dispatcher =
        proxy === undefined
          ? new Agent({ ...common, connect: this.connectOptions() })
          : new ProxyAgent({ ...common, uri: proxy, requestTls: this.connectOptions() });
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  async send(options: SendOptions): Promise<HttpResponse> {
    const response = await request(options.url, {
      dispatcher: this.dispatcherFor(options.url),
      method: options.method,
      headers: options.headers,
      body: options.body ?? null,
      signal: options.signal ?? null,
      // Registries can be slow to start sending a big blob; the body timeout still bounds stalls.
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      url: options.url,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.destroy().catch(() => {})));
  }
}
