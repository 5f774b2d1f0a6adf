// dockerd (Debian's docker.io, 20.10) for tests: its own data-root, exec-root, pidfile, unix
// socket and containerd namespaces under a temp dir, no networking (no iptables, no bridge),
// the vfs storage driver (works everywhere, no kernel overlay needed). Optionally also on
// tcp://127.0.0.1:PORT with mutual TLS.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '../peers.js';
import { freePort } from '../ports.js';
import { spawnPeer } from '../process.js';
import { makeTempDir } from '../tmp.js';
import { type EngineClient, engineClient } from './api-client.js';
import { makeEngineCertificates, type EngineCertificates } from './certs.js';
import { killProcessesMentioning, type RunningEngine } from './engine.js';
import { unmountAllUnder } from './mounts.js';
import { sleep, waitUntilServing } from './wait.js';

export interface DockerdOptions {
  /** Also listen on tcp://127.0.0.1:PORT with --tlsverify (certificates made with openssl). */
  tls?: boolean;
  /** How long to wait for `/_ping` (default 60 s: dockerd starts containerd first). */
  startTimeoutMs?: number;
}

export interface RunningDockerd extends RunningEngine {
  readonly kind: 'dockerd';
  /** Present with `tls: true`. */
  readonly tls?: {
    /** `tcp://127.0.0.1:PORT`. */
    readonly host: string;
    readonly port: number;
    readonly certs: EngineCertificates;
    /** An API client over https with the client pair. */
    readonly client: EngineClient;
  };
}

const DEBIAN_PACKAGE = 'docker.io';

export async function startDockerd(options: DockerdOptions = {}): Promise<RunningDockerd> {
  const binary = requirePeer('dockerd', DEBIAN_PACKAGE);
  requirePeer('containerd', 'containerd');
  const state = await makeTempDir('skopeo-ts-dockerd');
  const dir = state.path;
  const socketPath = join(dir, 'docker.sock');
  const execRoot = join(dir, 'exec');
  const namespace = `skopeo-ts-${randomBytes(4).toString('hex')}`;
  const configFile = join(dir, 'daemon.json');
  // Our own (empty) daemon.json, so a host's /etc/docker/daemon.json changes nothing here.
  await writeFile(configFile, '{}\n');

  const args = [
    '--config-file',
    configFile,
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    '--storage-driver=vfs',
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    execRoot,
    '--pidfile',
    join(dir, 'docker.pid'),
    '-H',
    `unix://${socketPath}`,
    '--containerd-namespace',
    namespace,
    '--containerd-plugins-namespace',
    `${namespace}-plugins`,
  ];
  let tls: RunningDockerd['tls'];
  if (options.tls === true) {
    const certs = await makeEngineCertificates(join(dir, 'certs'));
    const port = await freePort();
    args.push(
      '--tlsverify',
      '--tlscacert',
      certs.caPath,
      '--tlscert',
      certs.serverCertPath,
      '--tlskey',
      certs.serverKeyPath,
      '-H',
      `tcp://127.0.0.1:${port}`,
    );
    const client = engineClient({
      url: `https://127.0.0.1:${port}`,
      tls: { caPath: certs.caPath, certPath: certs.clientCertPath, keyPath: certs.clientKeyPath },
    });
    tls = { host: `tcp://127.0.0.1:${port}`, port, certs, client };
  }

  const peer = spawnPeer(binary, args, { logPath: join(dir, 'dockerd.log') });
  const client = engineClient({ socketPath });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await peer.stop(20_000);
    // dockerd stops its containerd on a clean exit; after a SIGKILL the containerd lives on.
    killProcessesMentioning(execRoot);
    await sleep(50);
    unmountAllUnder(dir);
    await state.cleanup();
  };
  try {
    await waitUntilServing(
      'dockerd',
      peer,
      async () => {
        try {
          return (await client.ping()).ok && (tls === undefined || (await tls.client.ping()).ok);
        } catch {
          return false;
        }
      },
      options.startTimeoutMs ?? 60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: 'dockerd',
    socketPath,
    host: `unix://${socketPath}`,
    client,
    pid: peer.pid,
    stateDir: dir,
    logTail: (lines) => peer.logTail(lines),
    stop,
    ...(tls === undefined ? {} : { tls }),
  };
}
