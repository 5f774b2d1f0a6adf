// A client for one registry endpoint: pings `/v2/` once (https first, http only when allowed),
// authenticates each request for the scopes it needs, retries what may be retried, follows
// redirects itself (Authorization only to the registry's own origin) and turns failures into
// skopeo-ts errors that name the registry.
import type { Readable } from 'node:stream';
import { AbortedError, type Context, isSkopeoError, SkopeoError } from '@skopeo-ts/core';
import { type AuthScope, Authenticator, raceSignal } from './auth.js';
import { parseChallenges } from './challenge.js';
import { isAbortError, isNetworkError, networkError, registryError } from './errors.js';
import { Connections, type HttpMethod, type HttpResponse } from './http.js';
import { discard, headerValue, MAX_ERROR_BODY_BYTES, readTruncated } from './limits.js';
import {
  RATE_LIMIT_INITIAL_DELAY_MS,
  RATE_LIMIT_RETRIES,
  type RetryPolicy,
  retryAfterMs,
  retryPolicy,
  sleep,
} from './retry.js';
import type { RegistryEndpoint, RegistrySettings, TlsSettings } from './settings.js';

/** Docker Hub's API lives on another host than the name users write. */
export const DOCKER_HUB_DOMAIN = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const MAX_REDIRECTS = 10;

/** The host:port to contact for a registry location. */
export function apiHost(location: string): string {
  return location === DOCKER_HUB_DOMAIN ? DOCKER_HUB_API_HOST : location;
}

export interface RegistryRequest {
  method: HttpMethod;
  /** A path on the registry ("/v2/…") or an absolute URL (upload locations, pagination links). */
  path: string | URL;
  headers?: Record<string, string>;
  /** A Buffer can be sent again (retries); a stream is sent once. */
  body?: Buffer | Readable;
  /** Auth scopes the request needs. Empty: no Authorization (foreign layers). */
  scopes: readonly AuthScope[];
  /** What is being done, for messages: "reading manifest latest in host/repo". */
  what: string;
  /** Statuses returned to the caller; any other becomes an error. */
  expect: readonly number[];
  /** Follow 3xx redirects (GET and HEAD only); Authorization goes only to the registry's origin. */
  followRedirects?: boolean;
  signal?: AbortSignal | undefined;
}

export interface RegistryClientOptions {
  endpoint: RegistryEndpoint;
  ctx: Context;
  settings: RegistrySettings;
  /** Value of User-Agent. */
  userAgent: string;
  /** Repository whose credentials to use (auth.json entries may be per repository). */
  repository?: string;
}

interface PingResult {
  base: URL;
}

export class RegistryClient {
  /** host[:port] as the user names it ("docker.io"), for messages and the blob-info cache. */
  readonly registry: string;
  /** host[:port] contacted. */
  readonly host: string;
  readonly endpoint: RegistryEndpoint;
  private readonly ctx: Context;
  private readonly settings: RegistrySettings;
  private readonly userAgent: string;
  private readonly retry: RetryPolicy;
  private readonly auth: Authenticator;
  private tlsPromise: Promise<TlsSettings> | undefined;
  private connectionsPromise: Promise<Connections> | undefined;
  private pingPromise: Promise<PingResult> | undefined;
  private closed = false;

  constructor(options: RegistryClientOptions) {
    this.endpoint = options.endpoint;
    this.registry = options.endpoint.location;
    this.host = apiHost(options.endpoint.location);
    this.ctx = options.ctx;
    this.settings = options.settings;
    this.userAgent = options.userAgent;
    this.retry = retryPolicy(options.ctx);
    const repository = options.repository ?? (options.endpoint.repository || undefined);
    this.auth = new Authenticator({
      registry: this.registry,
      credentials: () => this.settings.credentials.forRegistry(this.registry, repository),
      send: (request) => this.sendRetrying(request, 'requesting a token', this.ctx.signal),
      debug: this.ctx.debug,
      clientId: 'skopeo-ts',
    });
  }

  /** Token requests sent so far (tests, debugging). */
  get tokenRequests(): number {
    return this.auth.tokenRequests;
  }

  private tls(): Promise<TlsSettings> {
    this.tlsPromise ??= this.settings.tls.forRegistry(this.host).then((tls) => ({
      ...tls,
      verify: tls.verify && !this.endpoint.insecure,
    }));
    return this.tlsPromise;
  }

  private connections(): Promise<Connections> {
    this.connectionsPromise ??= this.tls().then((tls) => new Connections(tls, this.settings.proxy));
    return this.connectionsPromise;
  }

  /** The registry's base URL (after the ping): `https://host` or `http://host`. */
  async baseUrl(signal?: AbortSignal): Promise<URL> {
    return (await this.ping(signal)).base;
  }

  /** Pings `/v2/` once; concurrent callers share the ping, a failed ping is tried again next time. */
  ping(signal?: AbortSignal): Promise<PingResult> {
    if (this.pingPromise === undefined) {
      const pending = this.doPing();
      this.pingPromise = pending;
      pending.catch(() => {
        if (this.pingPromise === pending) this.pingPromise = undefined;
      });
    }
    return raceSignal(this.pingPromise, signal).catch((error: unknown) => {
      throw isAbortError(error) ? asAborted(error) : error;
    });
  }

  private async doPing(): Promise<PingResult> {
    const tls = await this.tls();
    const schemes = tls.verify ? ['https:'] : ['https:', 'http:'];
    const failures: { url: URL; error: SkopeoError }[] = [];
    const what = `pinging container registry ${this.registry}`;
    for (const scheme of schemes) {
      const url = new URL(`${scheme}//${this.host}/v2/`);
      try {
        const response = await this.sendRetrying({ method: 'GET', url, headers: {} }, what, this.ctx.signal);
        const body = await readTruncated(response.body, MAX_ERROR_BODY_BYTES);
        if (response.status === 200 || response.status === 401) {
          this.auth.setChallenges(parseChallenges(response.headers['www-authenticate']));
          this.ctx.debug?.(`ping ${url.href}: HTTP ${response.status}`);
          return { base: new URL(`${scheme}//${this.host}`) };
        }
        failures.push({
          url,
          error: registryError(response.status, body, `${what} at ${url.href}`, this.registry),
        });
      } catch (error) {
        if (isAbortError(error)) throw asAborted(error);
        // Plain http cannot fix a setting that cannot work (an unsupported proxy).
        if (isSkopeoError(error, 'UNSUPPORTED') || isSkopeoError(error, 'INVALID_ARGUMENT')) throw error;
        const failure = isSkopeoError(error) ? error : networkError(what, this.host, error);
        failures.push({
          url,
          error: scheme === 'https:' ? explainClosedTls(failure, tls, this.host) : failure,
        });
      }
    }
    const [first, second] = failures;
    if (first === undefined) throw new SkopeoError('INTERNAL', `${what}: no scheme tried`);
    if (second === undefined) throw first.error;
    // A plain-http registry: https failing is expected, the http answer is what went wrong.
    if (errorCodeDeep(first.error.cause) === 'ERR_SSL_WRONG_VERSION_NUMBER') throw second.error;
    throw new SkopeoError(
      first.error.code,
      `${first.error.message}; over http: ${second.error.message.replace(`${what}: `, '')}`,
      { cause: first.error, ...(first.error.hint ? { hint: first.error.hint } : {}) },
    );
  }

  /**
   * One HTTP exchange with 429 and network/5xx retries, no auth (pings, token servers). Bodies
   * here are Buffers, so every retry can send them again.
   */
  private async sendRetrying(
    request: { method: HttpMethod; url: URL; headers: Record<string, string>; body?: Buffer },
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const connections = await this.connections();
    let rateLimited = 0;
    let rateDelay = RATE_LIMIT_INITIAL_DELAY_MS;
    let failures = 0;
    for (;;) {
      let response: HttpResponse;
      try {
        response = await connections.send({
          method: request.method,
          url: request.url,
          headers: this.baseHeaders(request.headers),
          body: request.body,
          signal,
        });
      } catch (error) {
        if (isAbortError(error) || signal?.aborted) throw asAborted(error);
        // A setting that cannot work (a socks5 proxy, HTTP_PROXY under CGI) is no network error.
        if (isSkopeoError(error)) throw error;
        if (isNetworkError(error) && failures < this.retry.times) {
          failures++;
          await sleep(this.retry.delayMs(failures), signal);
          continue;
        }
        throw networkError(what, request.url.host, error, this.auth.secrets());
      }
      if (response.status === 429 && rateLimited < RATE_LIMIT_RETRIES) {
        rateLimited++;
        discard(response.body);
        const delay = retryAfterMs(response.headers, rateDelay);
        this.ctx.debug?.(`${what}: too many requests, waiting ${delay} ms`);
        await sleep(delay, signal);
        rateDelay = Math.min(rateDelay * 2, 60_000);
        continue;
      }
      if (response.status >= 500 && failures < this.retry.times) {
        failures++;
        discard(response.body);
        await sleep(this.retry.delayMs(failures), signal);
        continue;
      }
      return response;
    }
  }

  private baseHeaders(extra: Record<string, string>): Record<string, string> {
    return {
      'user-agent': this.userAgent,
      'docker-distribution-api-version': 'registry/2.0',
      ...extra,
    };
  }

  /**
   * Sends a request: authenticated for `scopes` (retried once after a 401 that a new token may
   * fix), retried on 429 (5 times) and on network errors and 5xx (ctx.retry) when the body can be
   * sent again, redirects followed when asked. Statuses in `expect` are returned; others throw.
   */
  async request(request: RegistryRequest): Promise<HttpResponse> {
    if (this.closed) throw new SkopeoError('INTERNAL', `${request.what}: the registry client is closed`);
    const signal = request.signal ?? this.ctx.signal;
    const base = await this.baseUrl(signal);
    const connections = await this.connections();
    const original = request.path instanceof URL ? request.path : new URL(request.path, base);
    const replayable = request.body === undefined || Buffer.isBuffer(request.body);
    let scopes = [...request.scopes];
    let authRetried = false;
    let rateLimited = 0;
    let rateDelay = RATE_LIMIT_INITIAL_DELAY_MS;
    let failures = 0;
    let url = original;
    let redirects = 0;
    for (;;) {
      const sameOrigin = url.origin === base.origin;
      const authorization =
        scopes.length > 0 && sameOrigin ? await this.authorize(scopes, signal) : undefined;
      const headers = this.baseHeaders({ ...request.headers });
      if (authorization !== undefined) headers.authorization = authorization;
      this.debugRequest(request.method, url, sameOrigin, authorization !== undefined);
      let response: HttpResponse;
      try {
        response = await connections.send({
          method: request.method,
          url,
          headers,
          body: request.body,
          signal,
        });
      } catch (error) {
        if (isAbortError(error) || signal?.aborted) throw asAborted(error);
        if (isSkopeoError(error)) throw error;
        if (replayable && isNetworkError(error) && failures < this.retry.times) {
          failures++;
          this.ctx.debug?.(`${request.what}: ${String(error)}; retry ${failures}/${this.retry.times}`);
          await sleep(this.retry.delayMs(failures), signal);
          url = original;
          redirects = 0;
          continue;
        }
        throw networkError(request.what, url.host, error, this.auth.secrets());
      }
      this.ctx.debug?.(`${request.method} ${describeUrl(url, sameOrigin)}: HTTP ${response.status}`);
      const { status } = response;
      if (
        request.followRedirects &&
        (request.method === 'GET' || request.method === 'HEAD') &&
        [301, 302, 303, 307, 308].includes(status)
      ) {
        const location = headerValue(response.headers, 'location');
        discard(response.body);
        if (location === undefined) {
          throw new SkopeoError('IO', `${request.what}: redirect (HTTP ${status}) without a Location`);
        }
        if (++redirects > MAX_REDIRECTS) {
          throw new SkopeoError('IO', `${request.what}: more than ${MAX_REDIRECTS} redirects`);
        }
        const next = new URL(location, url);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new SkopeoError('IO', `${request.what}: refusing a redirect to a ${next.protocol} URL`);
        }
        url = next;
        continue;
      }
      if (status === 401 && !authRetried && replayable && sameOrigin && scopes.length > 0) {
        const retryScopes = this.auth.retryAfterUnauthorized(
          parseChallenges(response.headers['www-authenticate']),
          scopes,
          authorization,
        );
        if (retryScopes !== undefined) {
          authRetried = true;
          discard(response.body);
          scopes = retryScopes;
          continue;
        }
      }
      if (status === 429 && replayable && rateLimited < RATE_LIMIT_RETRIES) {
        rateLimited++;
        discard(response.body);
        const delay = retryAfterMs(response.headers, rateDelay);
        this.ctx.debug?.(`${request.what}: too many requests, waiting ${delay} ms`);
        await sleep(delay, signal);
        rateDelay = Math.min(rateDelay * 2, 60_000);
        url = original;
        redirects = 0;
        continue;
      }
      if (status >= 500 && replayable && failures < this.retry.times) {
        failures++;
        discard(response.body);
        this.ctx.debug?.(`${request.what}: HTTP ${status}; retry ${failures}/${this.retry.times}`);
        await sleep(this.retry.delayMs(failures), signal);
        url = original;
        redirects = 0;
        continue;
      }
      if (request.expect.includes(status)) return response;
      const body = await readTruncated(response.body, MAX_ERROR_BODY_BYTES);
      throw registryError(status, body, request.what, this.registry, this.auth.secrets());
    }
  }

  private async authorize(scopes: readonly AuthScope[], signal: AbortSignal | undefined) {
    try {
      return await this.auth.authorization(scopes, signal);
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw asAborted(error);
      if (isSkopeoError(error)) throw error;
      throw networkError(`authenticating to ${this.registry}`, this.host, error, this.auth.secrets());
    }
  }

  private debugRequest(method: string, url: URL, sameOrigin: boolean, authorized: boolean): void {
    this.ctx.debug?.(
      `${method} ${describeUrl(url, sameOrigin)}${authorized ? ' Authorization: [redacted]' : ''}`,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const connections = this.connectionsPromise;
    this.connectionsPromise = undefined;
    if (connections !== undefined) await (await connections.catch(() => undefined))?.close();
  }
}

/** URLs of other origins (CDNs, foreign layers) may carry signed query strings: keep them out of logs. */
function describeUrl(url: URL, sameOrigin: boolean): string {
  if (sameOrigin || url.search === '') return url.href;
  return `${url.origin}${url.pathname}?[redacted]`;
}

export function asAborted(error: unknown): SkopeoError {
  if (isSkopeoError(error, 'ABORTED')) return error;
  const message = error instanceof Error && error.message !== '' ? error.message : 'operation aborted';
  return new AbortedError(
    message.startsWith('operation aborted') ? message : `operation aborted: ${message}`,
    {
      cause: error,
    },
  );
}

function errorCodeDeep(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/**
 * A registry that requires a client certificate ends the TLS connection when it gets none, and
 * undici only sees "other side closed": say what is probably missing.
 */
function explainClosedTls(failure: SkopeoError, tls: TlsSettings, host: string): SkopeoError {
  // Only a connection that ended without an answer (not an HTTP error, not a failed verification).
  const closed =
    failure.code === 'IO' && /other side closed|ECONNRESET|socket hang up/i.test(failure.message);
  if (!closed || tls.cert !== undefined) return failure;
  return new SkopeoError(
    failure.code,
    `${failure.message} (the registry closed the TLS connection before answering: it may require a client certificate, and none is configured)`,
    {
      cause: failure.cause,
      hint: `put a client certificate pair NAME.cert + NAME.key in /etc/containers/certs.d/${host}/ (or the directory given with --cert-dir)`,
    },
  );
}
