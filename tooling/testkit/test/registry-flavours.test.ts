// Each registry flavour starts, answers /v2/ as its auth and TLS settings say, and stop() ends
// its helpers and removes their files.
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKEN_USER,
  seededFaults,
  startFaultProxy,
  startHtpasswdRegistry,
  startMtlsRegistry,
  startRegistry,
  startTlsRegistry,
  startTokenRegistry,
} from '../src/index.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One GET; `tls` options go to https requests. Rejects on connection and TLS errors. */
function get(
  url: string,
  options: { headers?: Record<string, string>; ca?: string; cert?: string; key?: string } = {},
): Promise<Answer> {
  const { headers = {}, ...tls } = options;
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, ...tls, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('startTlsRegistry', () => {
  it('serves https with a test CA: trusted with the CA, a failed handshake without it', async () => {
    const registry = await startTlsRegistry();
    try {
      expect(registry.url).toBe(`https://${registry.host}`);
      expect(registry.mutualTls).toBe(false);
      const answer = await get(`${registry.url}/v2/`, { ca: registry.ca });
      expect(answer.status).toBe(200);
      await expect(get(`${registry.url}/v2/`)).rejects.toThrow(/self.signed|unable to (get|verify)/i);
      // The certificate names both loopback spellings.
      const byName = await get(`https://localhost:${registry.port}/v2/`, { ca: registry.ca });
      expect(byName.status).toBe(200);
      const certDir = await registry.makeCertDir({ clientPair: false });
      expect(readdirSync(certDir)).toEqual(['ca.crt']);
    } finally {
      await registry.stop();
    }
    expect(existsSync(registry.certificates.dir)).toBe(false);
    expect(existsSync(registry.rootDir)).toBe(false);
  });
});

describe('startMtlsRegistry', () => {
  it('accepts a client with a certificate of the client CA and refuses one without', async () => {
    const registry = await startMtlsRegistry();
    const { certificates } = registry;
    try {
      expect(registry.mutualTls).toBe(true);
      const answer = await get(`${registry.url}/v2/`, {
        ca: registry.ca,
        cert: certificates.clientCertPem,
        key: certificates.clientKeyPem,
      });
      expect(answer.status).toBe(200);
      await expect(get(`${registry.url}/v2/`, { ca: registry.ca })).rejects.toThrow(
        /certificate|handshake|socket hang up|ECONNRESET/i,
      );
      const certDir = await registry.makeCertDir();
      expect(readdirSync(certDir).sort()).toEqual(['ca.crt', 'client.cert', 'client.key']);
      const unpaired = await registry.makeCertDir({ ca: false, unpairedClientCert: true });
      expect(readdirSync(unpaired)).toEqual(['client.cert']);
    } finally {
      await registry.stop();
    }
    expect(existsSync(certificates.dir)).toBe(false);
  });
});

describe('startHtpasswdRegistry', () => {
  it('challenges with Basic and lets its users in', async () => {
    const registry = await startHtpasswdRegistry({ users: { ann: 'pw-ann-1', ben: 'pw-ben-2' } });
    try {
      const anonymous = await get(`${registry.url}/v2/`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe(`Basic realm="${registry.realm}"`);
      for (const [user, password] of Object.entries(registry.users)) {
        const answer = await get(`${registry.url}/v2/`, {
          headers: { authorization: basic(user, password) },
        });
        expect(answer.status, user).toBe(200);
      }
      const wrong = await get(`${registry.url}/v2/`, { headers: { authorization: basic('ann', 'nope') } });
      expect(wrong.status).toBe(401);
    } finally {
      await registry.stop();
    }
    expect(existsSync(registry.htpasswdPath)).toBe(false);
  });
});

describe('startTokenRegistry', () => {
  it('challenges with Bearer; anonymous pull of public/*, full access for the user, nothing else', async () => {
    const registry = await startTokenRegistry();
    const { tokenServer, user } = registry;
    expect(user).toEqual(DEFAULT_TOKEN_USER);
    try {
      const challenge = await get(`${registry.url}/v2/`);
      expect(challenge.status).toBe(401);
      expect(challenge.headers['www-authenticate']).toBe(
        `Bearer realm="${tokenServer.realm}",service="${tokenServer.service}"`,
      );
      const token = async (scope: string, authorization?: string) => {
        const answer = await get(
          `${tokenServer.realm}?service=${tokenServer.service}&scope=${encodeURIComponent(scope)}`,
          { headers: authorization === undefined ? {} : { authorization } },
        );
        expect(answer.status, answer.body).toBe(200);
        return (JSON.parse(answer.body) as { token: string }).token;
      };
      const tags = async (repo: string, bearer: string) =>
        (
          await get(`${registry.url}/v2/${repo}/tags/list`, {
            headers: { authorization: `Bearer ${bearer}` },
          })
        ).status;
      // 404: let in, the repository does not exist; 401: refused.
      expect(await tags('public/app', await token('repository:public/app:pull'))).toBe(404);
      expect(await tags('private/app', await token('repository:private/app:pull'))).toBe(401);
      const full = await token('repository:private/app:pull,push', basic(user.username, user.password));
      expect(await tags('private/app', full)).toBe(404);
      const refused = await get(`${tokenServer.realm}?service=${tokenServer.service}`, {
        headers: { authorization: basic(user.username, 'wrong') },
      });
      expect(refused.status).toBe(401);
      expect(tokenServer.log.map((entry) => entry.who)).toEqual([
        'anonymous',
        'anonymous',
        user.username,
        `bad:${user.username}`,
      ]);
    } finally {
      await registry.stop();
    }
    await expect(get(`${tokenServer.realm}?service=x`)).rejects.toThrow(/ECONNREFUSED/);
    expect(existsSync(tokenServer.certPath)).toBe(false);
  });
});

describe('seededFaults', () => {
  it('injects at most maxFaults, at the same points for the same seed', async () => {
    const registry = await startRegistry();
    const proxy = await startFaultProxy(registry.host);
    try {
      const run = async (seed: number) => {
        proxy.reset();
        const faults = seededFaults({ seed, maxFaults: 3, rate: 0.5 });
        proxy.rules.push(faults.rule);
        const outcomes: string[] = [];
        for (let i = 0; i < 20; i++) {
          const answer = await get(`http://${proxy.host}/v2/repo-${i % 4}/tags/list`).catch(
            (error: Error) => error,
          );
          outcomes.push(answer instanceof Error ? 'error' : String(answer.status));
        }
        return { outcomes, injected: faults.injected.map((f) => `${f.kind} ${f.method} ${f.path}`) };
      };
      const first = await run(7);
      expect(first.injected.length).toBeGreaterThan(0);
      expect(first.injected.length).toBeLessThanOrEqual(3);
      expect(await run(7)).toEqual(first);
      // Past the bound every request reaches the registry (404: no such repository).
      expect(first.outcomes.slice(-5)).toEqual(['404', '404', '404', '404', '404']);
    } finally {
      await proxy.close();
      await registry.stop();
    }
  });
});
