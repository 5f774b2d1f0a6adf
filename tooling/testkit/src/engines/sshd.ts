// OpenSSH's sshd for tests of ssh:// engine hosts: on 127.0.0.1 with a generated host key,
// public-key login only (a generated user key), and stream-local forwarding allowed so a
// client can reach a unix socket (an engine's) on the "remote" side.
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requirePeer } from '../peers.js';
import { freePort } from '../ports.js';
import { spawnPeer } from '../process.js';
import { makeTempDir, type TempDir } from '../tmp.js';
import { waitUntilServing } from './wait.js';

const run = promisify(execFile);
const DEBIAN_PACKAGE = 'openssh-server';

export interface KnownHostsOptions {
  /** Hash the host name as `ssh-keygen -H` does (`|1|salt|hmac`). */
  hashed?: boolean;
  /** Give a different key than the server's: a client must refuse to connect. */
  wrongKey?: boolean;
}

export interface SshHomeOptions extends KnownHostsOptions {
  /** Leave known_hosts out (an unknown host). */
  noKnownHosts?: boolean;
}

export interface RunningSshd {
  readonly host: string;
  readonly port: number;
  /** The user to log in as (the current user; root logs in by key only). */
  readonly user: string;
  /** Private key (OpenSSH format, ed25519, no passphrase) that sshd accepts. */
  readonly userKeyPath: string;
  /** The server's public host key line (`ssh-ed25519 AAAA…`). */
  readonly hostPublicKey: string;
  /** A known_hosts line for this server (`[127.0.0.1]:PORT ssh-ed25519 …`). */
  knownHostsLine(options?: KnownHostsOptions): string;
  /**
   * A fresh home directory with `.ssh/id_ed25519` (the user key) and `.ssh/known_hosts`; removed
   * on stop.
   */
  makeHome(options?: SshHomeOptions): Promise<string>;
  readonly pid: number;
  logTail(lines?: number): string;
  /** Stops sshd and removes its files; safe twice. */
  stop(): Promise<void>;
}

async function generateKey(sshKeygen: string, path: string, comment: string): Promise<string> {
  await run(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  const [type, key] = (await readFile(`${path}.pub`, 'utf8')).trim().split(/\s+/);
  return `${type} ${key}`;
}

/** The host pattern OpenSSH writes: bare for port 22, else `[host]:port`. */
function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hashHost(pattern: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(pattern).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

/** Accepts a TCP connection and sends the SSH banner. */
function answersSsh(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (data) => done(data.toString('latin1').startsWith('SSH-')));
    socket.once('error', () => done(false));
  });
}

export async function startSshd(options: { startTimeoutMs?: number } = {}): Promise<RunningSshd> {
  const sshd = requirePeer('sshd', DEBIAN_PACKAGE);
  const sshKeygen = requirePeer('ssh-keygen', 'openssh-client');
  // sshd's privilege separation directory; Debian's package makes it only when the service starts.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const state = await makeTempDir('skopeo-ts-sshd');
  const dir = state.path;
  const homes: TempDir[] = [];
  const hostKeyPath = join(dir, 'ssh_host_ed25519_key');
  const userKeyPath = join(dir, 'user_ed25519');
  const wrongKeyPath = join(dir, 'wrong_host_ed25519_key');
  const [hostPublicKey, userPublicKey, wrongPublicKey] = await Promise.all([
    generateKey(sshKeygen, hostKeyPath, 'skopeo-ts test host'),
    generateKey(sshKeygen, userKeyPath, 'skopeo-ts test user'),
    generateKey(sshKeygen, wrongKeyPath, 'skopeo-ts wrong host key'),
  ]);
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${userPublicKey}\n`, { mode: 0o600 });
  const host = '127.0.0.1';
  const user = userInfo().username;

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configPath = join(dir, 'sshd_config');
    await writeFile(
      configPath,
      [
        `ListenAddress ${host}`,
        `Port ${port}`,
        `HostKey ${hostKeyPath}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        `AuthorizedKeysFile ${authorizedKeys}`,
        // Keys live under a world-writable temp dir: sshd's ownership checks would refuse them.
        'StrictModes no',
        'AllowStreamLocalForwarding yes',
        'AllowTcpForwarding yes',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    // An absolute -f path: sshd re-executes itself and a relative one breaks on SIGHUP.
    const peer = spawnPeer(sshd, ['-D', '-f', configPath, '-E', join(dir, 'sshd.log')], {
      logPath: join(dir, 'sshd.stdout.log'),
    });
    const logTail = (lines = 30) => {
      // sshd logs to its -E file; the stdout log only has startup failures.
      const other = peer.logTail(lines);
      try {
        return readFileSync(join(dir, 'sshd.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return other;
      }
    };
    try {
      await waitUntilServing('sshd', peer, () => answersSsh(host, port), options.startTimeoutMs ?? 20_000);
    } catch (error) {
      await peer.stop();
      if (attempt < 3 && /Address already in use/.test(logTail())) continue;
      await state.cleanup();
      throw error;
    }
    const knownHostsLine = (opts: KnownHostsOptions = {}) => {
      const pattern = hostPattern(host, port);
      return `${opts.hashed === true ? hashHost(pattern) : pattern} ${opts.wrongKey === true ? wrongPublicKey : hostPublicKey}`;
    };
    let stopped = false;
    return {
      host,
      port,
      user,
      userKeyPath,
      hostPublicKey,
      knownHostsLine,
      async makeHome(opts: SshHomeOptions = {}) {
        const home = await makeTempDir('skopeo-ts-ssh-home');
        homes.push(home);
        const sshDir = join(home.path, '.ssh');
        await mkdir(sshDir, { mode: 0o700 });
        await copyFile(userKeyPath, join(sshDir, 'id_ed25519'));
        if (opts.noKnownHosts !== true) {
          await writeFile(join(sshDir, 'known_hosts'), `${knownHostsLine(opts)}\n`, { mode: 0o600 });
        }
        return home.path;
      },
      pid: peer.pid,
      logTail,
      async stop() {
        if (stopped) return;
        stopped = true;
        await peer.stop();
        for (const home of homes) await home.cleanup();
        await state.cleanup();
      },
    };
  }
}
