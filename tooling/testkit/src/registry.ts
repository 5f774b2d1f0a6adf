// Debian's docker-registry (distribution 2.8.2) on a loopback port, one per caller, with its
// own storage root. Options take config fragments so TLS, htpasswd and token auth fit later.
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './ports.js';
import { requirePeer } from './peers.js';
import { type PeerProcess, spawnPeer } from './process.js';
import { makeTempDir } from './tmp.js';

/** A fragment of the registry's YAML configuration, written as JSON (YAML is a superset of JSON). */
export type RegistryConfig = { [key: string]: RegistryConfigValue };
export type RegistryConfigValue = string | number | boolean | null | RegistryConfigValue[] | RegistryConfig;

export interface RegistryOptions {
  /**
   * Deep-merged over the generated configuration: objects merge key by key, other values replace,
   * `null` removes a key. E.g. `{ auth: { htpasswd: { realm: 'r', path: FILE } } }` or
   * `{ http: { tls: { certificate: CRT, key: KEY } } }` (the url then uses https).
   */
  config?: RegistryConfig;
  /** Storage to serve; kept on stop. Default: a fresh directory removed on stop. */
  rootDir?: string;
  /** How long to wait for `GET /v2/` to answer (default 30 s). */
  startTimeoutMs?: number;
  /** Extra environment for the registry (REGISTRY_* variables override the config file). */
  env?: Record<string, string>;
  /**
   * A client certificate and key (PEM text) for the readiness probe: a registry with
   * `http.tls.clientcas` refuses a client without one.
   */
  probeClientCertificate?: { cert: string; key: string };
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, as used in `docker://127.0.0.1:PORT/repo:tag`. */
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:PORT` (https when the config has `http.tls`). */
  readonly url: string;
  /** The filesystem storage root (`storage.filesystem.rootdirectory`). */
  readonly rootDir: string;
  /** The configuration file the registry was started with. */
  readonly configPath: string;
  /** The merged configuration. */
  readonly config: RegistryConfig;
  readonly pid: number;
  /** Last lines of the registry's log. */
  logTail(lines?: number): string;
  /** Kills the registry and removes its temp dirs; safe to call twice. */
  stop(): Promise<void>;
}

function isConfigObject(value: RegistryConfigValue | undefined): value is RegistryConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge for configuration fragments: objects merge, `null` deletes, anything else replaces. */
export function mergeRegistryConfig(base: RegistryConfig, extra: RegistryConfig): RegistryConfig {
  const out: RegistryConfig = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    if (value === null) delete out[key];
    else if (isConfigObject(value) && isConfigObject(current)) out[key] = mergeRegistryConfig(current, value);
    else out[key] = value;
  }
  return out;
}

function baseConfig(port: number, rootDir: string): RegistryConfig {
  return {
    version: '0.1',
    log: { level: 'info', formatter: 'text', fields: { service: 'registry' } },
    storage: {
      filesystem: { rootdirectory: rootDir },
      delete: { enabled: true },
      // No background upload purging: tests inspect the storage and want it to stay put.
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: `127.0.0.1:${port}`,
      // A fixed per-instance secret silences the "No HTTP secret provided" warning.
      secret: randomBytes(16).toString('hex'),
      headers: { 'X-Content-Type-Options': ['nosniff'] },
    },
  };
}

function usesTls(config: RegistryConfig): boolean {
  const http = config.http;
  return isConfigObject(http) && isConfigObject(http.tls) && typeof http.tls.certificate === 'string';
}

/** One `GET /v2/`; any HTTP answer (200, or 401 with auth) means the registry is serving. */
function probe(url: string, client?: { cert: string; key: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const options = { method: 'GET', timeout: 1000, rejectUnauthorized: false, ...client };
    const req = request(`${url}/v2/`, options, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilServing(
  peer: PeerProcess,
  url: string,
  timeoutMs: number,
  client?: { cert: string; key: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (peer.hasExited()) {
      const { code, signal } = await peer.exited;
      throw new RegistryStartError(
        `docker-registry exited (${signal ?? `code ${code}`}) before serving ${url}`,
        peer.logTail(),
      );
    }
    if (await probe(url, client)) return;
    await sleep(100);
  }
  throw new RegistryStartError(
    `docker-registry did not answer GET ${url}/v2/ within ${timeoutMs} ms`,
    peer.logTail(),
  );
}

export class RegistryStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- registry log (last lines) ---\n${logTail}`);
    this.name = 'RegistryStartError';
  }
}

/** Starts docker-registry on 127.0.0.1 and waits until it serves `/v2/`. */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const binary = requirePeer('docker-registry', 'docker-registry');
  const state = await makeTempDir('skopeo-ts-registry');
  const rootDir = options.rootDir ?? join(state.path, 'storage');
  const env: NodeJS.ProcessEnv = {};
  // REGISTRY_* variables from the host would override our config file.
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('REGISTRY_')) env[key] = value;
  Object.assign(env, options.env);

  // The port is free when picked but could be taken before the registry binds it: retry then.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = mergeRegistryConfig(baseConfig(port, rootDir), options.config ?? {});
    const configPath = join(state.path, 'config.yml');
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    const host = `127.0.0.1:${port}`;
    const url = `${usesTls(config) ? 'https' : 'http'}://${host}`;
    const peer = spawnPeer(binary, ['serve', configPath], {
      logPath: join(state.path, `registry-${attempt}.log`),
      env,
    });
    try {
      await waitUntilServing(peer, url, options.startTimeoutMs ?? 30_000, options.probeClientCertificate);
    } catch (error) {
      await peer.stop(1000);
      if (attempt < 3 && /address already in use/.test(peer.logTail(100))) continue;
      await state.cleanup();
      throw error;
    }
    let stopped: Promise<void> | undefined;
    return {
      host,
      port,
      url,
      rootDir,
      configPath,
      config,
      pid: peer.pid,
      logTail: (lines) => peer.logTail(lines),
      stop() {
        stopped ??= (async () => {
          await peer.stop();
          await state.cleanup();
        })();
        return stopped;
      },
    };
  }
}
