// Faults at deterministic pseudo-random points: whether a request fails, how, and where its body
// is cut all derive from a seed and the request's identity (method, path without query or upload
// id, how often that request came before), so a failing seed replays the same faults whatever
// order concurrent requests arrive in. At most `maxFaults` are injected.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drainRequest, type FaultRule, type ProxyExchange } from './fault-proxy.js';

export const FAULT_KINDS = ['reset', 'truncate', 'status-500', 'status-429'] as const;
/**
 * reset: the connection is reset (before the request reaches the registry, mid-way through the
 *   answer's body, or after the registry acted on it);
 * truncate: Content-Length is promised and fewer bytes sent before a close (for a request body:
 *   the registry receives a cut body);
 * status-500 / status-429: an error answer (500 also after the registry acted; 429 with
 *   `Retry-After: 0`).
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface InjectedFault {
  kind: FaultKind;
  method: string;
  /** The normalised path the decision was keyed on. */
  path: string;
  /** What exactly happened, e.g. "reset after 1234 of 5000 body bytes". */
  detail: string;
}

export interface SeededFaultOptions {
  seed: number;
  /** The most faults injected in all. */
  maxFaults: number;
  /** The chance that a request gets a fault, 0..1 (default 0.25). */
  rate?: number;
  kinds?: readonly FaultKind[];
  /** Which requests may get a fault (default: all). */
  applies?: (req: IncomingMessage) => boolean;
}

export interface SeededFaults {
  /** The proxy rule; add it to `FaultProxy.rules`. */
  readonly rule: FaultRule;
  readonly injected: readonly InjectedFault[];
  /** One line per injected fault, for failure messages. */
  describe(): string;
}

/** Three numbers in [0, 1) from the seed and a key. */
function draw(seed: number, key: string): [number, number, number] {
  const hash = createHash('sha256').update(`${seed}\n${key}`).digest();
  const at = (offset: number) => hash.readUInt32BE(offset) / 2 ** 32;
  return [at(0), at(4), at(8)];
}

/** The path without query, upload ids made generic: a retried upload keys like the first. */
function normalisePath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/\/blobs\/uploads\/[^/]+$/, '/blobs/uploads/*');
}

function hasRequestBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function answerError(res: ServerResponse, status: 500 | 429): void {
  const code = status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN';
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(status === 429 ? { 'retry-after': '0' } : {}),
  });
  res.end(`{"errors":[{"code":"${code}","message":"injected fault"}]}`);
}

/** Resets the client's connection (RST) once what was written has been handed to the socket. */
function resetSoon(res: ServerResponse): void {
  setTimeout(() => res.socket?.resetAndDestroy(), 10);
}

/** Carries out one fault; returns what happened. `where` in [0, 1) picks the variant or cut point. */
async function inject(kind: FaultKind, where: number, exchange: ProxyExchange): Promise<string> {
  const { req, res, forward } = exchange;
  if (kind === 'status-429' || (kind === 'status-500' && where < 0.5)) {
    await drainRequest(req);
    answerError(res, kind === 'status-429' ? 429 : 500);
    return 'answered without asking the registry';
  }
  if (kind === 'status-500') {
    const upstream = await forward();
    await readAll(upstream);
    answerError(res, 500);
    return `the registry answered ${upstream.statusCode}; the client got 500`;
  }
  const withBody = hasRequestBody(req);
  if (kind === 'reset' && withBody && where < 0.5) {
    req.socket.resetAndDestroy();
    return 'reset before the request body reached the registry';
  }
  if (kind === 'truncate' && withBody) {
    const length = Number(req.headers['content-length'] ?? 0);
    const limit = Math.floor(length * where);
    await forward({}, limit).catch(() => undefined);
    return `request body cut after ${limit} of ${length || 'chunked'} bytes`;
  }
  const upstream = await forward();
  const body = await readAll(upstream);
  if (body.length === 0 || req.method === 'HEAD') {
    req.socket.resetAndDestroy();
    return `reset after the registry answered ${upstream.statusCode}`;
  }
  const cut = Math.floor(body.length * where);
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(upstream.headers)) if (value !== undefined) headers[key] = value;
  headers['content-length'] = String(body.length);
  delete headers['transfer-encoding'];
  res.writeHead(upstream.statusCode ?? 502, headers);
  if (kind === 'reset') {
    res.write(body.subarray(0, cut), () => resetSoon(res));
    return `reset after ${cut} of ${body.length} body bytes (HTTP ${upstream.statusCode})`;
  }
  res.write(body.subarray(0, cut), () => res.socket?.end());
  return `closed after ${cut} of ${body.length} body bytes (HTTP ${upstream.statusCode})`;
}

/** A fault rule driven by `seed`. */
export function seededFaults(options: SeededFaultOptions): SeededFaults {
  const kinds = options.kinds ?? FAULT_KINDS;
  const rate = options.rate ?? 0.25;
  const seen = new Map<string, number>();
  const injected: InjectedFault[] = [];
  const rule: FaultRule = async (exchange) => {
    const { req } = exchange;
    if (injected.length >= options.maxFaults || kinds.length === 0) return false;
    if (options.applies !== undefined && !options.applies(req)) return false;
    const method = req.method ?? '';
    const path = normalisePath(req.url ?? '');
    const key = `${method} ${path}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    const [fire, pick, where] = draw(options.seed, `${key} #${occurrence}`);
    if (fire >= rate) return false;
    const kind = kinds[Math.floor(pick * kinds.length)] ?? 'reset';
    const fault: InjectedFault = { kind, method, path, detail: 'pending' };
    injected.push(fault);
    fault.detail = await inject(kind, where, exchange).catch((error: unknown) => {
      req.socket.destroy(); // never leave the client waiting for an answer
      return `connection closed: injecting failed (${error})`;
    });
    return true;
  };
  return {
    rule,
    injected,
    describe: () =>
      injected.map((f) => `${f.kind} on ${f.method} ${f.path}: ${f.detail}`).join('\n') || '(no faults)',
  };
}
