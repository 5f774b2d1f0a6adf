// podman's Docker-compatible API service for tests: its own graph root, run root, libpod tmp
// dir and unix socket under a temp dir, vfs storage, no timeout (--time=0).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '../peers.js';
import { spawnPeer } from '../process.js';
import { makeTempDir } from '../tmp.js';
import { engineClient } from './api-client.js';
import type { RunningEngine } from './engine.js';
import { unmountAllUnder } from './mounts.js';
import { waitUntilServing } from './wait.js';

export interface PodmanServiceOptions {
  /** How long to wait for `/_ping` (default 30 s). */
  startTimeoutMs?: number;
}

export interface RunningPodmanService extends RunningEngine {
  readonly kind: 'podman';
  /** The store, as `containers-storage:[vfs@GRAPHROOT+RUNROOT]` names it. */
  readonly graphRoot: string;
  readonly runRoot: string;
}

export async function startPodmanService(options: PodmanServiceOptions = {}): Promise<RunningPodmanService> {
  const binary = requirePeer('podman', 'podman');
  const state = await makeTempDir('skopeo-ts-podman');
  const dir = state.path;
  const graphRoot = join(dir, 'root');
  const runRoot = join(dir, 'runroot');
  const socketPath = join(dir, 'podman.sock');
  // An empty containers.conf and registries.conf: the host's settings change nothing here.
  const containersConf = join(dir, 'containers.conf');
  const registriesConf = join(dir, 'registries.conf');
  await writeFile(containersConf, '# empty: built-in defaults\n');
  await writeFile(registriesConf, '# empty: no mirrors, aliases or search registries\n');
  const args = [
    '--root',
    graphRoot,
    '--runroot',
    runRoot,
    '--storage-driver',
    'vfs',
    // libpod keeps state in /run/libpod by default: share nothing with other services.
    '--tmpdir',
    join(dir, 'libpod-tmp'),
    '--events-backend',
    'none',
    'system',
    'service',
    '--time=0',
    `unix://${socketPath}`,
  ];
  const env = { ...process.env, CONTAINERS_CONF: containersConf, CONTAINERS_REGISTRIES_CONF: registriesConf };
  const peer = spawnPeer(binary, args, { logPath: join(dir, 'podman.log'), env });
  const client = engineClient({ socketPath });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await peer.stop(10_000);
    // containers-storage keeps private bind mounts (GRAPHROOT/overlay, …) that outlive podman.
    unmountAllUnder(dir);
    await state.cleanup();
  };
  try {
    await waitUntilServing(
      'podman system service',
      peer,
      async () => {
        try {
          return (await client.ping()).ok;
        } catch {
          return false;
        }
      },
      options.startTimeoutMs ?? 30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: 'podman',
    socketPath,
    host: `unix://${socketPath}`,
    client,
    pid: peer.pid,
    stateDir: dir,
    graphRoot,
    runRoot,
    logTail: (lines) => peer.logTail(lines),
    stop,
  };
}
