// OpenSSH known_hosts checking for ssh:// engine hosts: plain and hashed (`|1|salt|hmac`) host
// patterns, `[host]:port` for ports other than 22, wildcards and negations, @revoked keys.
// A host that is missing, or whose key differs, is refused: never accepted silently.
import { createHmac } from 'node:crypto';

export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  marker: '@revoked' | '@cert-authority' | undefined;
  patterns: string;
  keyType: string;
  /** The public key blob (SSH wire format), as the server sends it. */
  key: Buffer;
}

export type HostKeyVerdict =
  | { kind: 'trusted'; entry: KnownHostEntry }
  | { kind: 'changed'; entries: KnownHostEntry[] }
  | { kind: 'revoked'; entry: KnownHostEntry }
  | { kind: 'unknown' };

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority')
      marker = fields.shift() as KnownHostEntry['marker'];
    const [patterns, keyType, keyText] = fields;
    if (patterns === undefined || keyType === undefined || keyText === undefined) return;
    entries.push({ line: index + 1, marker, patterns, keyType, key: Buffer.from(keyText, 'base64') });
  });
  return entries;
}

/** The name OpenSSH looks a host up by: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (salt === undefined || hash === undefined) return false;
    const expected = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return expected === hash;
  }
  return wildcardMatch(pattern, name);
}

/** Whether a comma-separated pattern list names the host (a matching `!pattern` excludes it). */
export function hostMatches(patterns: string, name: string): boolean {
  let matched = false;
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), name)) return false;
    } else if (patternMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The key type written at the start of an SSH public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString('latin1');
}

/** Judges the key a server presented against the known_hosts entries for its name. */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const forHost = entries.filter(
    (entry) => entry.marker !== '@cert-authority' && hostMatches(entry.patterns, name),
  );
  const revoked = forHost.find((entry) => entry.marker === '@revoked' && entry.key.equals(key));
  if (revoked !== undefined) return { kind: 'revoked', entry: revoked };
  const trusted = forHost.find((entry) => entry.marker === undefined && entry.key.equals(key));
  if (trusted !== undefined) return { kind: 'trusted', entry: trusted };
  const others = forHost.filter((entry) => entry.marker === undefined);
  return others.length > 0 ? { kind: 'changed', entries: others } : { kind: 'unknown' };
}

/** Host key algorithms to offer, known types first, so a server with several keys shows one we know. */
export function preferredHostKeyAlgorithms(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = new Set<string>();
  for (const entry of entries) {
    if (entry.marker !== undefined || !hostMatches(entry.patterns, name)) continue;
    if (entry.keyType === 'ssh-rsa') {
      types.add('rsa-sha2-512');
      types.add('rsa-sha2-256');
    }
    types.add(entry.keyType);
  }
  return [...types];
}
