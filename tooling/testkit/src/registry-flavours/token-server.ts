// A small Bearer token server for docker-registry's `auth.token` (distribution's token spec):
// JWTs signed with ES256 (raw r||s), the signing certificate in the `x5c` header, trusted by the
// registry through `rootcertbundle`. Users: a full-access user with a password and a refresh
// token; anonymous callers may only pull `public/*`; anything else gets a token without rights.
// Every request is counted and logged.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { requirePeer } from '../peers.js';
import { mergeRegistryConfig, type RegistryOptions, type RunningRegistry } from '../registry.js';
import { type Cleanup, helperDir, runCleanups, startWithHelpers } from './flavoured.js';

export interface TokenRequestLog {
  method: string;
  /** Scopes asked for, as sent. */
  scopes: string[];
  /** 'anonymous', the user name, or 'refresh-token'. */
  who: string;
  grantType?: string;
}

export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certPath: string;
  readonly log: TokenRequestLog[];
  /** When set, grants for these scopes drop "push" the first time (to provoke insufficient_scope). */
  stingyOnce: Set<string>;
  /** expires_in answered (seconds). */
  expiresIn: number;
  /** The registry config fragment. */
  registryConfig(): {
    auth: { token: { realm: string; service: string; issuer: string; rootcertbundle: string } };
  };
  /** Issues a token directly (as a user would get one for --registry-token). */
  issue(access: TokenAccess[], subject: string): string;
  close(): Promise<void>;
}

export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenUser {
  username: string;
  password: string;
  refreshToken: string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function makeKeyPair(dir: string): { keyPath: string; certPath: string } {
  const openssl = requirePeer('openssl', 'openssl');
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync(
    openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=skopeo-ts test token issuer',
    ],
    { stdio: 'ignore' },
  );
  return { keyPath, certPath };
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined || !header.startsWith('Basic ')) return undefined;
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseScope(text: string): TokenAccess | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  return {
    type: text.slice(0, first),
    name: text.slice(first + 1, last),
    actions: text
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

/** Starts the token server on 127.0.0.1; its signing key and certificate go into `dir`. */
export async function startTokenServer(dir: string, user: TokenUser): Promise<TokenServer> {
  const { keyPath, certPath } = makeKeyPair(dir);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw;
  const service = 'skopeo-ts-test-registry';
  const issuer = 'skopeo-ts-test-issuer';
  const log: TokenRequestLog[] = [];
  const stingyOnce = new Set<string>();

  const issue = (access: TokenAccess[], subject: string, expiresIn: number): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  };

  const grant = (who: string, wanted: TokenAccess): TokenAccess => {
    if (who !== 'anonymous') return wanted; // the test user may do anything
    if (wanted.type === 'repository' && wanted.name.startsWith('public/')) {
      return { ...wanted, actions: wanted.actions.filter((a) => a === 'pull') };
    }
    return { ...wanted, actions: [] };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://token');
      let params = url.searchParams;
      let who = 'anonymous';
      let grantType: string | undefined;
      if (req.method === 'POST') {
        params = new URLSearchParams(await readBody(req));
        grantType = params.get('grant_type') ?? undefined;
        if (grantType !== 'refresh_token' || params.get('refresh_token') !== user.refreshToken) {
          log.push({ method: 'POST', scopes: params.getAll('scope'), who: 'bad-refresh-token', grantType });
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end('{"errors":[{"code":"UNAUTHORIZED","message":"invalid refresh token"}]}');
          return;
        }
        who = 'refresh-token';
      } else {
        const basic = parseBasic(req.headers.authorization);
        if (basic !== undefined) {
          if (basic.user !== user.username || basic.password !== user.password) {
            log.push({ method: 'GET', scopes: params.getAll('scope'), who: `bad:${basic.user}` });
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end('{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}');
            return;
          }
          who = basic.user;
        }
      }
      const scopes = params
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter((s) => s !== '');
      log.push({ method: req.method ?? '', scopes, who, ...(grantType ? { grantType } : {}) });
      const access = scopes
        .map(parseScope)
        .filter((a): a is TokenAccess => a !== undefined)
        .map((wanted) => {
          const granted = grant(who, wanted);
          const key = `${wanted.type}:${wanted.name}`;
          if (stingyOnce.has(key)) {
            stingyOnce.delete(key);
            return { ...granted, actions: granted.actions.filter((a) => a !== 'push') };
          }
          return granted;
        });
      const token = issue(access, who, server.expiresIn);
      const body = JSON.stringify({
        token,
        access_token: token,
        expires_in: server.expiresIn,
        issued_at: new Date().toISOString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  }) as ReturnType<typeof createServer> & { expiresIn: number };
  server.expiresIn = 300;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const realm = `http://127.0.0.1:${port}/token`;
  return {
    realm,
    service,
    issuer,
    certPath,
    log,
    stingyOnce,
    get expiresIn() {
      return server.expiresIn;
    },
    set expiresIn(value: number) {
      server.expiresIn = value;
    },
    registryConfig: () => ({ auth: { token: { realm, service, issuer, rootcertbundle: certPath } } }),
    issue: (access, subject) => issue(access, subject, 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const DEFAULT_TOKEN_USER: Readonly<TokenUser> = {
  username: 'tester',
  password: 'token-user-password-5521',
  refreshToken: 'refresh-token-abc-123',
};

export interface TokenRegistryOptions extends RegistryOptions {
  /** The user with full access (default DEFAULT_TOKEN_USER). */
  user?: TokenUser;
}

export interface TokenRegistry extends RunningRegistry {
  readonly tokenServer: TokenServer;
  /** The full-access user. */
  readonly user: TokenUser;
}

/**
 * docker-registry with Bearer token auth from a token server that testkit runs: anonymous pull of
 * `public/*`, full access for `user`, no rights otherwise. stop() stops both.
 */
export async function startTokenRegistry(options: TokenRegistryOptions = {}): Promise<TokenRegistry> {
  const { user = DEFAULT_TOKEN_USER, ...registryOptions } = options;
  const cleanups: Cleanup[] = [];
  try {
    const dir = await helperDir('skopeo-ts-registry-token', cleanups);
    const tokenServer = await startTokenServer(dir.path, user);
    cleanups.push(() => tokenServer.close());
    return await startWithHelpers(
      {
        ...registryOptions,
        config: mergeRegistryConfig(tokenServer.registryConfig(), registryOptions.config ?? {}),
      },
      cleanups,
      { tokenServer, user: { ...user } },
    );
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}
