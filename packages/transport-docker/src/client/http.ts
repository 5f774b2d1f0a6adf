// Connections: one undici Agent per registry client (keep-alive pools per origin), or one
// ProxyAgent per proxy; TLS settings of the registry apply to every connection it makes.
// undici is loaded on the first request, and only its parts a direct connection needs; the TLS
// context (CAs, client certificate) is built once, on the first https connection.
import type { SecureContext } from 'node:tls';
import type { Readable } from 'node:stream';
import type { buildConnector as BuildConnector, Dispatcher } from 'undici';
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
/** Per origin: enough for the parallel blob copies of one image and their token/HEAD requests. */
const CONNECTIONS_PER_ORIGIN = 16;

interface DirectParts {
  Agent: typeof import('undici').Agent;
  request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
  buildConnector: typeof BuildConnector;
}

let directParts: Promise<DirectParts> | undefined;

function loadDirectParts(): Promise<DirectParts> {
  directParts ??= Promise.all([
    import('undici/lib/dispatcher/agent.js'),
    import('undici/lib/api/api-request.js'),
    import('undici/lib/core/connect.js'),
  ]).then(([agent, request, connect]) => ({
    Agent: agent.default,
    request: request.default,
    buildConnector: connect.default,
  }));
  return directParts;
}

/**
 * Starts loading undici without waiting for it: an operation calls this when it begins, so the
 * loading overlaps with reading the configuration files.
 */
export function preloadHttp(): void {
  loadDirectParts().catch(() => {});
}

/** The whole of undici: only proxies need it (ProxyAgent relies on the APIs its index installs). */
function loadFullUndici(): Promise<typeof import('undici')> {
  return import('undici');
}

/** The dispatchers of one registry client; close() ends their connections. */
export class Connections {
  private readonly dispatchers = new Map<string, Promise<Dispatcher>>();
  private secureContext: SecureContext | undefined;
  private closed = false;

  constructor(
    private readonly tls: TlsSettings,
    private readonly proxy: ProxyResolver,
  ) {}

  /**
   * Options for tls.connect. One SecureContext serves every connection (building one parses all
   * the CAs); without verification no CA is loaded at all.
   */
  private async tlsOptions() {
    if (this.secureContext === undefined) {
      const { createSecureContext } = await import('node:tls');
      const ca = this.tls.verify ? this.tls.ca : [];
      this.secureContext = createSecureContext({
        ...(ca !== undefined && (ca.length > 0 || !this.tls.verify) ? { ca: [...ca] } : {}),
        ...(this.tls.cert !== undefined ? { cert: this.tls.cert } : {}),
        ...(this.tls.key !== undefined ? { key: this.tls.key } : {}),
      });
    }
    return { rejectUnauthorized: this.tls.verify, secureContext: this.secureContext };
  }

  private async createDispatcher(proxy: string | undefined): Promise<Dispatcher> {
    const common = { keepAliveTimeout: KEEP_ALIVE_MS, connections: CONNECTIONS_PER_ORIGIN };
    if (proxy !== undefined) {
      const { ProxyAgent } = await loadFullUndici();
      return new ProxyAgent({ ...common, uri: proxy, requestTls: await this.tlsOptions() });
    }
    const { Agent, buildConnector } = await loadDirectParts();
    const plain = buildConnector({});
    let secure: Promise<BuildConnector.connector> | undefined;
    const connect: BuildConnector.connector = (options, callback) => {
      if (options.protocol !== 'https:') {
        plain(options, callback);
        return;
      }
      secure ??= this.tlsOptions().then((tls) => buildConnector(tls));
      secure.then(
        (connector) => connector(options, callback),
        (error: Error) => callback(error, null),
      );
    };
    return new Agent({ ...common, connect });
  }

  private dispatcherFor(url: URL): Promise<Dispatcher> {
    if (this.closed) throw new Error('the registry client is closed');
    const proxy = this.proxy.proxyFor(url);
    const key = proxy ?? 'direct';
    let dispatcher = this.dispatchers.get(key);
    if (dispatcher === undefined) {
      dispatcher = this.createDispatcher(proxy);
      this.dispatchers.set(key, dispatcher);
      dispatcher.catch(() => {
        if (this.dispatchers.get(key) === dispatcher) this.dispatchers.delete(key);
      });
    }
    return dispatcher;
  }

  async send(options: SendOptions): Promise<HttpResponse> {
    const dispatcher = await this.dispatcherFor(options.url);
    const { url } = options;
    const requestOptions: Dispatcher.RequestOptions = {
      origin: url.origin,
      path: url.search ? `${url.pathname}${url.search}` : url.pathname,
      method: options.method,
      headers: options.headers,
      body: options.body ?? null,
      signal: options.signal ?? null,
      // Registries can be slow to start sending a big blob; the body timeout still bounds stalls.
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    };
    const { request } = await loadDirectParts();
    const response = await request.call(dispatcher, requestOptions);
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
    await Promise.all(all.map(async (d) => (await d.catch(() => undefined))?.destroy().catch(() => {})));
  }
}
