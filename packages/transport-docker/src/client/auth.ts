// Authorization headers for registry requests: Basic, Bearer tokens from the registry's token
// server (one cache entry per set of scopes, one fetch shared by concurrent requests, refresh
// tokens by POST), or a registry token given by the user. Secrets never reach a message or a log.
import { type Credentials, SkopeoError, UnauthorizedError } from '@skopeo-ts/core';
import type { Challenge } from './challenge.js';
import { registryError } from './errors.js';
import type { HttpMethod, HttpResponse } from './http.js';
import { contentLength, MAX_TOKEN_RESPONSE_BYTES, readLimited, readTruncated } from './limits.js';

export interface AuthScope {
  /** "repository" or "registry". */
  type: string;
  /** Repository path, or "catalog". */
  name: string;
  /** "pull", "pull,push", "*". */
  actions: string;
}

export function scopeText(scope: AuthScope): string {
  return `${scope.type}:${scope.name}:${scope.actions}`;
}

export function pullScope(repository: string): AuthScope {
  return { type: 'repository', name: repository, actions: 'pull' };
}

export function pushScope(repository: string): AuthScope {
  return { type: 'repository', name: repository, actions: 'pull,push' };
}

export const CATALOG_SCOPE: AuthScope = { type: 'registry', name: 'catalog', actions: '*' };

/** Parses `repository:NAME:pull,push` (the name may not hold ":"; the actions are after the last). */
export function parseScope(text: string): AuthScope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  return { type: text.slice(0, first), name: text.slice(first + 1, last), actions: text.slice(last + 1) };
}

/** Token server requests go through the client's connections (same TLS and proxies). */
export type TokenSender = (request: {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
}) => Promise<HttpResponse>;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens are renewed this long before they expire, so that none expires on the way. */
const EXPIRY_MARGIN_MS = 5_000;
const MINIMUM_TOKEN_LIFETIME_S = 60;

export interface AuthenticatorOptions {
  /** The registry as the user names it, for messages. */
  registry: string;
  credentials: () => Promise<Credentials | undefined>;
  send: TokenSender;
  debug?: ((message: string) => void) | undefined;
  /** client_id sent with refresh tokens. */
  clientId: string;
  now?: () => number;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export class Authenticator {
  private challenges: Challenge[] = [];
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();
  private credentialsPromise: Promise<Credentials | undefined> | undefined;
  private knownSecrets: string[] = [];
  /** Number of token requests sent (tests and debugging). */
  tokenRequests = 0;

  constructor(private readonly options: AuthenticatorOptions) {}

  setChallenges(challenges: Challenge[]): void {
    this.challenges = challenges.filter((c) => c.scheme === 'basic' || c.scheme === 'bearer');
  }

  hasChallenges(): boolean {
    return this.challenges.length > 0;
  }

  /** Strings that must never appear in a message: passwords and tokens seen so far. */
  secrets(): readonly string[] {
    return this.knownSecrets;
  }

  private async credentials(): Promise<Credentials | undefined> {
    this.credentialsPromise ??= this.options.credentials().then((creds) => {
      if (creds?.kind === 'basic' && creds.password !== '') this.knownSecrets.push(creds.password);
      if (creds?.kind === 'identity-token' || creds?.kind === 'bearer') this.knownSecrets.push(creds.token);
      return creds;
    });
    return this.credentialsPromise;
  }

  /** The Authorization header value for a request needing `scopes`, or undefined (anonymous). */
  async authorization(scopes: readonly AuthScope[], signal?: AbortSignal): Promise<string | undefined> {
    for (const challenge of this.challenges) {
      const creds = await this.credentials();
      if (challenge.scheme === 'basic') {
        if (creds?.kind === 'basic') return basicHeader(creds.username, creds.password);
        return undefined;
      }
      if (challenge.scheme === 'bearer') {
        if (creds?.kind === 'bearer') return `Bearer ${creds.token}`;
        const token = await this.token(challenge, scopes, creds, signal);
        return `Bearer ${token}`;
      }
    }
    return undefined;
  }

  /**
   * After a 401: whether one retry may help, with the scopes to use then. A bearer token may have
   * expired or lack a scope (`insufficient_scope`); a server we saw no challenge from may send one
   * now. Returns undefined when a retry would only repeat the failure.
   */
  retryAfterUnauthorized(
    responseChallenges: readonly Challenge[],
    scopes: readonly AuthScope[],
    usedAuthorization: string | undefined,
  ): AuthScope[] | undefined {
    const bearer = responseChallenges.find((c) => c.scheme === 'bearer');
    const basic = responseChallenges.find((c) => c.scheme === 'basic');
    if (!this.hasChallenges()) {
      // The ping needed no auth but this request does: adopt the challenge.
      if (bearer === undefined && basic === undefined) return undefined;
      this.setChallenges([...responseChallenges]);
      return [...scopes];
    }
    if (usedAuthorization === undefined || !usedAuthorization.startsWith('Bearer ')) return undefined;
    let next = [...scopes];
    if (bearer?.params.error === 'insufficient_scope' && bearer.params.scope !== undefined) {
      for (const text of bearer.params.scope.split(' ')) {
        const scope = parseScope(text);
        if (scope !== undefined) next = mergeScope(next, scope);
      }
    }
    this.forget(scopes, usedAuthorization.slice('Bearer '.length));
    return next;
  }

  /**
   * Drops the cached token for `scopes`, only when it is `token`, the one that failed: with
   * concurrent requests, another one may already have fetched a fresh token.
   */
  forget(scopes: readonly AuthScope[], token?: string): void {
    const key = cacheKey(scopes);
    if (token === undefined || this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  private async token(
    challenge: Challenge,
    scopes: readonly AuthScope[],
    creds: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const key = cacheKey(scopes);
    const now = this.options.now ?? Date.now;
    const cached = this.tokens.get(key);
    if (cached !== undefined && now() < cached.expiresAt - EXPIRY_MARGIN_MS) return cached.token;
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(challenge, scopes, creds).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
      pending.then(
        (token) => this.tokens.set(key, token),
        () => {},
      );
    }
    const token = await raceSignal(pending, signal);
    return token.token;
  }

  private async fetchToken(
    challenge: Challenge,
    scopes: readonly AuthScope[],
    creds: Credentials | undefined,
  ): Promise<CachedToken> {
    const registry = this.options.registry;
    const what = `authenticating to ${registry}`;
    const realmText = challenge.params.realm;
    if (realmText === undefined || realmText === '') {
      throw new UnauthorizedError(`${what}: the registry's Bearer challenge names no token server (realm)`);
    }
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new UnauthorizedError(`${what}: the token server address "${realmText}" is not a URL`);
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new UnauthorizedError(`${what}: the token server address "${realmText}" is not http(s)`);
    }
    const service = challenge.params.service;
    const scopeTexts = scopes.map(scopeText);
    const headers: Record<string, string> = {};
    let method: HttpMethod = 'GET';
    let body: Buffer | undefined;
    const url = new URL(realm);
    if (creds?.kind === 'identity-token') {
      method = 'POST';
      const form = new URLSearchParams();
      if (service !== undefined && service !== '') form.append('service', service);
      for (const scope of scopeTexts) form.append('scope', scope);
      form.append('grant_type', 'refresh_token');
      form.append('refresh_token', creds.token);
      form.append('client_id', this.options.clientId);
      body = Buffer.from(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (service !== undefined && service !== '') url.searchParams.append('service', service);
      for (const scope of scopeTexts) url.searchParams.append('scope', scope);
      if (creds?.kind === 'basic' && creds.username !== '' && creds.password !== '') {
        headers.authorization = basicHeader(creds.username, creds.password);
      }
    }
    this.tokenRequests++;
    this.options.debug?.(
      `token request ${method} ${realm.origin}${realm.pathname} scopes [${scopeTexts.join(' ')}]${headers.authorization ? ' Authorization: [redacted]' : ''}`,
    );
    const response = await this.options.send({ method, url, headers, ...(body ? { body } : {}) });
    if (response.status !== 200) {
      const errorBody = await readTruncated(response.body, MAX_TOKEN_RESPONSE_BYTES);
      const error = registryError(response.status, errorBody, what, registry, this.secrets());
      if (response.status === 401 || response.status === 403) {
        throw new UnauthorizedError(
          `${what}: the token server refused ${creds === undefined ? 'anonymous access' : 'the credentials'} (HTTP ${response.status}${error.registryErrors.length > 0 ? `: ${error.registryErrors.map((e) => e.message || e.code).join('; ')}` : ''})`.replace(
            /\s+$/,
            '',
          ),
          { hint: `check the credentials for ${registry} (--creds, --authfile, or log in first)` },
        );
      }
      throw error;
    }
    const bytes = await readLimited(
      response.body,
      MAX_TOKEN_RESPONSE_BYTES,
      `the token response of ${registry}`,
      contentLength(response.headers),
    );
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(bytes.toString('utf8')) as typeof json;
    } catch {
      throw new SkopeoError('IO', `${what}: the token server answered something that is not JSON`);
    }
    const token =
      typeof json.token === 'string' && json.token !== ''
        ? json.token
        : typeof json.access_token === 'string'
          ? json.access_token
          : '';
    if (token === '') throw new SkopeoError('IO', `${what}: the token server answered no token`);
    this.knownSecrets.push(token);
    const expiresIn =
      typeof json.expires_in === 'number' && Number.isFinite(json.expires_in)
        ? Math.max(json.expires_in, MINIMUM_TOKEN_LIFETIME_S)
        : MINIMUM_TOKEN_LIFETIME_S;
    const now = this.options.now ?? Date.now;
    return { token, expiresAt: now() + expiresIn * 1000 };
  }
}

/**
 * Adds `scope` to `scopes`: its actions join those of the same resource (registries list actions
 * in any order, "push,pull"), so a challenge that asks for nothing new changes nothing.
 */
export function mergeScope(scopes: readonly AuthScope[], scope: AuthScope): AuthScope[] {
  const index = scopes.findIndex((s) => s.type === scope.type && s.name === scope.name);
  if (index < 0) return [...scopes, scope];
  const current = scopes[index] as AuthScope;
  const actions = current.actions.split(',').filter((a) => a !== '');
  const added = scope.actions.split(',').filter((a) => a !== '' && !actions.includes(a));
  if (added.length === 0) return [...scopes];
  const merged = [...scopes];
  merged[index] = { ...current, actions: [...actions, ...added].join(',') };
  return merged;
}

function cacheKey(scopes: readonly AuthScope[]): string {
  return [...new Set(scopes.map(scopeText))].sort().join(' ');
}

/** Waits for `promise` unless `signal` fires first (the shared work itself goes on). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('operation aborted');
  error.name = 'AbortError';
  return error;
}
