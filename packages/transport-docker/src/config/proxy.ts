// Proxies from the environment, by the rules of Go's net/http ProxyFromEnvironment
// (golang.org/x/net/http/httpproxy), which skopeo uses:
// - HTTPS_PROXY for https URLs, HTTP_PROXY for http ones; the upper-case name first, then the
//   lower-case one; a value without a scheme means http://;
// - with REQUEST_METHOD set (CGI), HTTP_PROXY is refused (httpoxy);
// - localhost and loopback addresses never go through a proxy;
// - NO_PROXY: comma-separated; `*` matches everything; `10.0.0.0/8` CIDRs and IPs (with optional
//   :port) match IP hosts; `example.com` matches it and its subdomains, `.example.com` and
//   `*.example.com` only subdomains; `host:port` only that port.
import { domainToASCII } from 'node:url';
import { SkopeoError } from '@skopeo-ts/core';
import type { EnvMap } from './environment.js';

export interface ProxyEnvironment {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string | undefined;
  /** REQUEST_METHOD is set: a CGI request's headers may have set HTTP_PROXY. */
  cgi: boolean;
}

function envAny(env: EnvMap, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

export function proxyEnvironment(env: EnvMap): ProxyEnvironment {
  return {
    httpProxy: envAny(env, 'HTTP_PROXY', 'http_proxy'),
    httpsProxy: envAny(env, 'HTTPS_PROXY', 'https_proxy'),
    noProxy: envAny(env, 'NO_PROXY', 'no_proxy'),
    cgi: envAny(env, 'REQUEST_METHOD') !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// IP addresses as 16 bytes (IPv4 as IPv4-mapped IPv6), like Go's net.IP.

type Ip = { bytes: Uint8Array; v4: boolean };

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    // Go refuses leading zeros (ambiguous octal).
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

function parseIPv6(text: string): Uint8Array | undefined {
  let body = text;
  let tail: Uint8Array | undefined;
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    tail = parseIPv4(body.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === '') return [];
    const out: number[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || rest === undefined) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...rest];
  const out = new Uint8Array(16);
  all.forEach((group, i) => {
    out[2 * i] = group >> 8;
    out[2 * i + 1] = group & 0xff;
  });
  if (tail !== undefined) out.set(tail, 12);
  return out;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function isV4Mapped(bytes: Uint8Array): boolean {
  return V4_MAPPED_PREFIX.every((byte, i) => bytes[i] === byte);
}

/** An IP address in text form (no brackets, no zone), or undefined. */
export function parseIp(text: string): Ip | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) {
    const bytes = new Uint8Array(16);
    bytes.set(V4_MAPPED_PREFIX);
    bytes.set(v4, 12);
    return { bytes, v4: true };
  }
  if (!text.includes(':')) return undefined;
  const v6 = parseIPv6(text);
  return v6 === undefined ? undefined : { bytes: v6, v4: isV4Mapped(v6) };
}

function isLoopback(ip: Ip): boolean {
  if (ip.v4) return ip.bytes[12] === 127;
  return ip.bytes.every((byte, i) => byte === (i === 15 ? 1 : 0));
}

function sameIp(a: Ip, b: Ip): boolean {
  return a.bytes.every((byte, i) => byte === b.bytes[i]);
}

interface Cidr {
  /** Network address: 4 bytes for an IPv4 CIDR, 16 for IPv6, as Go keeps them. */
  network: Uint8Array;
  bits: number;
}

function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const bitsText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const address = text.slice(0, slash);
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return bits <= 32 ? { network: v4, bits } : undefined;
  const v6 = address.includes(':') ? parseIPv6(address) : undefined;
  return v6 !== undefined && bits <= 128 ? { network: v6, bits } : undefined;
}

function cidrContains(cidr: Cidr, ip: Ip): boolean {
  // Go: an IPv4 network holds IPv4 (and IPv4-mapped) addresses only; an IPv6 network, IPv6 ones.
  const bytes = ip.v4 ? ip.bytes.subarray(12) : ip.bytes;
  if (bytes.length !== cidr.network.length) return false;
  for (let bit = 0; bit < cidr.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    const index = Math.floor(bit / 8);
    if (((bytes[index] ?? 0) & mask) !== ((cidr.network[index] ?? 0) & mask)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// NO_PROXY

type Matcher =
  | { kind: 'all' }
  | { kind: 'cidr'; cidr: Cidr }
  | { kind: 'ip'; ip: Ip; port: string }
  | { kind: 'domain'; host: string; port: string; matchHost: boolean };

/** Go's net.SplitHostPort: "host:port" or "[v6]:port"; undefined when there is no port part. */
function splitHostPort(text: string): { host: string; port: string } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    const port = text.slice(close + 2);
    return port.includes(':') ? undefined : { host: text.slice(1, close), port };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const host = text.slice(0, colon);
  if (host.includes(':')) return undefined;
  return { host, port: text.slice(colon + 1) };
}

function toASCII(host: string): string {
  if (/^[\x00-\x7f]*$/.test(host)) return host;
  const ascii = domainToASCII(host);
  return ascii === '' ? host : ascii;
}

export function parseNoProxy(noProxy: string | undefined): Matcher[] {
  const matchers: Matcher[] = [];
  for (const raw of (noProxy ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return [{ kind: 'all' }];
    const cidr = parseCidr(entry);
    if (cidr !== undefined) {
      matchers.push({ kind: 'cidr', cidr });
      continue;
    }
    let host = entry;
    let port = '';
    const split = splitHostPort(entry);
    if (split !== undefined) {
      if (split.host === '') continue;
      host = split.host;
      port = split.port;
    }
    const ip = parseIp(host);
    if (ip !== undefined) {
      matchers.push({ kind: 'ip', ip, port });
      continue;
    }
    if (host === '') continue;
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    if (matchHost) host = `.${host}`;
    matchers.push({ kind: 'domain', host: toASCII(host), port, matchHost });
  }
  return matchers;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Whether a request to host:port goes through the proxy (false: connect directly). */
export function useProxy(hostname: string, port: string, matchers: readonly Matcher[]): boolean {
  const host = toASCII(hostname.replace(/^\[|\]$/g, '')).toLowerCase();
  if (host === 'localhost') return false;
  const ip = parseIp(host);
  if (ip !== undefined && isLoopback(ip)) return false;
  for (const matcher of matchers) {
    switch (matcher.kind) {
      case 'all':
        return false;
      case 'cidr':
        if (ip !== undefined && cidrContains(matcher.cidr, ip)) return false;
        break;
      case 'ip':
        if (ip !== undefined && sameIp(matcher.ip, ip) && (matcher.port === '' || matcher.port === port)) {
          return false;
        }
        break;
      case 'domain':
        if (ip !== undefined) break;
        if (host.endsWith(matcher.host) || (matcher.matchHost && host === matcher.host.slice(1))) {
          if (matcher.port === '' || matcher.port === port) return false;
        }
        break;
    }
  }
  return true;
}

/** A proxy setting as a URL; a value without a scheme is http://. undefined when unusable. */
export function parseProxyUrl(value: string | undefined): URL | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const url = new URL(value);
    if (url.host !== '') return url;
  } catch {
    // fall through: try it as host[:port]
  }
  try {
    return new URL(`http://${value}`);
  } catch {
    return undefined;
  }
}

/**
 * The proxy to use for a request to target, or undefined for a direct connection.
 * `env` is the environment (ctx.env ?? process.env) or an already read ProxyEnvironment.
 */
export function proxyForUrl(target: string | URL, env: EnvMap | ProxyEnvironment): URL | undefined {
  const config = isProxyEnvironment(env) ? env : proxyEnvironment(env);
  const url = typeof target === 'string' ? new URL(target) : target;
  let proxy: URL | undefined;
  if (url.protocol === 'https:') {
    proxy = parseProxyUrl(config.httpsProxy);
  } else if (url.protocol === 'http:') {
    proxy = parseProxyUrl(config.httpProxy);
    if (proxy !== undefined && config.cgi) {
      throw new SkopeoError(
        'INVALID_ARGUMENT',
        'refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy',
      );
    }
  }
  if (proxy === undefined) return undefined;
  const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? '') : url.port;
  return useProxy(url.hostname, port, parseNoProxy(config.noProxy)) ? proxy : undefined;
}

function isProxyEnvironment(value: EnvMap | ProxyEnvironment): value is ProxyEnvironment {
  return 'cgi' in value && typeof (value as { cgi: unknown }).cgi === 'boolean';
}
