// A tiny Docker engine API client for tests, over node:http (a unix socket, or tcp with TLS).
// The `docker` CLI first on PATH is newer than the engines here, so tests talk HTTP directly.
import { readFileSync } from 'node:fs';
import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type EngineEndpoint =
  | { socketPath: string }
  /** `http://127.0.0.1:PORT`, or `https://…` with the client pair and CA from `tls`. */
  | { url: string; tls?: { caPath: string; certPath: string; keyPath: string } };

export interface EngineImageSummary {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Size: number;
  [key: string]: unknown;
}

export interface EngineImageInspect {
  Id: string;
  RepoTags: string[];
  RootFS: { Type: string; Layers?: string[] };
  Config: Record<string, unknown> | null;
  Architecture: string;
  Os: string;
  [key: string]: unknown;
}

export class EngineApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`engine API ${method} ${path} answered ${status}: ${body.trim()}`);
    this.name = 'EngineApiError';
  }
}

export interface EngineClient {
  readonly endpoint: EngineEndpoint;
  /** `GET /_ping`: true with the API version header when the engine answers OK. */
  ping(): Promise<{ ok: boolean; apiVersion: string | undefined; server: string | undefined }>;
  version(): Promise<Record<string, unknown> & { ApiVersion: string; Version: string }>;
  listImages(): Promise<EngineImageSummary[]>;
  /** undefined when the engine has no such image. */
  inspectImage(name: string): Promise<EngineImageInspect | undefined>;
  /** `POST /images/load` from a tar stream; resolves with the engine's progress lines. */
  loadImage(archive: Readable): Promise<string[]>;
  /** `GET /images/{name}/get`: the `docker save` tar as a stream. */
  getImage(name: string): Promise<Readable>;
  /** Tags an existing image (`POST /images/{name}/tag`). */
  tagImage(name: string, repo: string, tag: string): Promise<void>;
  /** `DELETE /images/{name}?force=1`; false when there was no such image. */
  removeImage(name: string): Promise<boolean>;
}

const encodeName = (name: string) => encodeURIComponent(name);

export function engineClient(endpoint: EngineEndpoint): EngineClient {
  const send = (
    method: string,
    path: string,
    headers: Record<string, string> = {},
  ): { req: ClientRequest; response: Promise<IncomingMessage> } => {
    let req: ClientRequest;
    if ('socketPath' in endpoint) {
      req = httpRequest({
        socketPath: endpoint.socketPath,
        method,
        path,
        headers: { Host: 'docker', ...headers },
      });
    } else {
      const url = new URL(path, endpoint.url);
      const tls = endpoint.tls;
      const options = {
        method,
        headers,
        ...(tls === undefined
          ? {}
          : {
              ca: readFileSync(tls.caPath),
              cert: readFileSync(tls.certPath),
              key: readFileSync(tls.keyPath),
            }),
      };
      req = url.protocol === 'https:' ? httpsRequest(url, options) : httpRequest(url, options);
    }
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    return { req, response };
  };

  const readBody = async (res: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const call = async (
    method: string,
    path: string,
  ): Promise<{ status: number; body: string; res: IncomingMessage }> => {
    const { req, response } = send(method, path);
    req.end();
    const res = await response;
    return { status: res.statusCode ?? 0, body: await readBody(res), res };
  };

  const json = async <T>(method: string, path: string): Promise<T> => {
    const { status, body } = await call(method, path);
    if (status < 200 || status >= 300) throw new EngineApiError(status, method, path, body);
    return JSON.parse(body) as T;
  };

  return {
    endpoint,
    async ping() {
      const { status, res } = await call('GET', '/_ping');
      const header = (name: string) => {
        const value = res.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      return { ok: status === 200, apiVersion: header('api-version'), server: header('server') };
    },
    version: () => json('GET', '/version'),
    listImages: () => json('GET', '/images/json'),
    async inspectImage(name) {
      const path = `/images/${encodeName(name)}/json`;
      const { status, body } = await call('GET', path);
      if (status === 404) return undefined;
      if (status !== 200) throw new EngineApiError(status, 'GET', path, body);
      return JSON.parse(body) as EngineImageInspect;
    },
    async loadImage(archive) {
      const path = '/images/load?quiet=1';
      const { req, response } = send('POST', path, { 'Content-Type': 'application/x-tar' });
      // The engine may answer (with an error) before it has read everything: take both outcomes.
      const upload = pipeline(archive, req).catch((error: unknown) => error);
      const res = await response;
      const body = await readBody(res);
      const uploadError = await upload;
      if ((res.statusCode ?? 0) !== 200) throw new EngineApiError(res.statusCode ?? 0, 'POST', path, body);
      const lines = body.split('\n').filter((line) => line.trim() !== '');
      for (const line of lines) {
        const message = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
        const error = message.errorDetail?.message ?? message.error;
        if (error !== undefined) throw new EngineApiError(200, 'POST', path, error);
      }
      if (uploadError instanceof Error) throw uploadError;
      return lines;
    },
    async getImage(name) {
      const path = `/images/${encodeName(name)}/get`;
      const { req, response } = send('GET', path);
      req.end();
      const res = await response;
      if (res.statusCode !== 200)
        throw new EngineApiError(res.statusCode ?? 0, 'GET', path, await readBody(res));
      return res;
    },
    async tagImage(name, repo, tag) {
      const path = `/images/${encodeName(name)}/tag?repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`;
      const { status, body } = await call('POST', path);
      if (status !== 201 && status !== 200) throw new EngineApiError(status, 'POST', path, body);
    },
    async removeImage(name) {
      const path = `/images/${encodeName(name)}?force=1`;
      const { status, body } = await call('DELETE', path);
      if (status === 404) return false;
      if (status !== 200) throw new EngineApiError(status, 'DELETE', path, body);
      return true;
    },
  };
}
