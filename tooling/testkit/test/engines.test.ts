import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  engineClient,
  makeTempDir,
  mountsUnder,
  processesMentioning,
  type RunningEngine,
  requirePeer,
  startDockerd,
  startPodmanService,
  startSshd,
  writeDockerSaveArchive,
} from '../src/index.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectStoppedCleanly(engine: RunningEngine): Promise<void> {
  await engine.stop();
  expect(isAlive(engine.pid)).toBe(false);
  expect(processesMentioning(engine.stateDir)).toEqual([]);
  expect(mountsUnder(engine.stateDir)).toEqual([]);
  expect(existsSync(engine.stateDir)).toBe(false);
  await engine.stop(); // idempotent
}

/** Loads a small archive, finds it by tag, reads it back, removes it. */
async function exerciseImages(engine: RunningEngine): Promise<void> {
  const tmp = await makeTempDir('skopeo-ts-engines-test');
  try {
    const archive = join(tmp.path, 'seed.tar');
    const { imageId, diffId } = await writeDockerSaveArchive(archive, {
      tag: 'localhost/seed:v1',
      files: { 'hello.txt': `hello from ${engine.kind}\n` },
    });
    const lines = await engine.client.loadImage(createReadStream(archive));
    expect(lines.join('\n')).toContain('localhost/seed:v1');

    const listed = await engine.client.listImages();
    expect(listed.some((image) => image.RepoTags?.includes('localhost/seed:v1'))).toBe(true);
    const inspected = await engine.client.inspectImage('localhost/seed:v1');
    expect(inspected?.Id).toBe(imageId);
    expect(inspected?.RootFS.Layers).toEqual([diffId]);
    expect(await engine.client.inspectImage('localhost/no-such-image:v1')).toBeUndefined();

    const saved = await engine.client.getImage('localhost/seed:v1');
    let bytes = 0;
    for await (const chunk of saved) bytes += (chunk as Buffer).length;
    expect(bytes).toBeGreaterThan(1024);

    expect(await engine.client.removeImage('localhost/seed:v1')).toBe(true);
    expect(await engine.client.inspectImage('localhost/seed:v1')).toBeUndefined();
    expect(await engine.client.removeImage('localhost/seed:v1')).toBe(false);
  } finally {
    await tmp.cleanup();
  }
}

describe('startDockerd', () => {
  it('serves the engine API on its socket and on tcp with TLS, loads images, and stops cleanly', async () => {
    const dockerd = await startDockerd({ tls: true });
    try {
      const ping = await dockerd.client.ping();
      expect(ping).toMatchObject({ ok: true, apiVersion: '1.41' });
      expect(ping.server).toMatch(/^Docker\/20\.10/);
      expect((await dockerd.client.version()).ApiVersion).toBe('1.41');
      expect(dockerd.host).toBe(`unix://${dockerd.socketPath}`);
      expect(dockerd.tls?.host).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect((await dockerd.tls?.client.ping())?.ok).toBe(true);
      // Without the client certificate the TLS port refuses us.
      const anonymous = engineClient({ url: `https://127.0.0.1:${dockerd.tls?.port}` });
      await expect(anonymous.ping()).rejects.toThrow();
      await exerciseImages(dockerd);
      // dockerd started its own containerd under our exec-root.
      expect(processesMentioning(join(dockerd.stateDir, 'exec')).length).toBeGreaterThan(0);
    } finally {
      await expectStoppedCleanly(dockerd);
    }
  });
});

describe('startPodmanService', () => {
  it('serves the Docker-compatible API, loads images, and stops cleanly', async () => {
    const podman = await startPodmanService();
    try {
      const ping = await podman.client.ping();
      expect(ping.ok).toBe(true);
      expect(ping.server).toMatch(/^Libpod/);
      await exerciseImages(podman);
    } finally {
      await expectStoppedCleanly(podman);
    }
  });
});

describe('startSshd', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** Runs `ssh` with a home made by the sshd; resolves with its exit code and stderr. */
  function runSsh(
    home: string,
    port: number,
    extra: string[],
  ): { done: Promise<{ code: number | null; stderr: string }>; kill: () => void } {
    const ssh = requirePeer('ssh', 'openssh-client');
    const child = spawn(
      ssh,
      [
        '-F',
        '/dev/null',
        '-i',
        join(home, '.ssh', 'id_ed25519'),
        '-o',
        `UserKnownHostsFile=${join(home, '.ssh', 'known_hosts')}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        '-p',
        String(port),
        ...extra,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      child.once('exit', (code) => resolve({ code, stderr })),
    );
    return { done, kill: () => child.kill('SIGTERM') };
  }

  it('logs in by key, forwards a unix socket to an engine, refuses a wrong host key, and stops cleanly', async () => {
    const sshd = await startSshd();
    cleanups.push(() => sshd.stop());
    const dockerd = await startDockerd();
    cleanups.push(() => dockerd.stop());

    expect(sshd.knownHostsLine()).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`);
    expect(sshd.knownHostsLine({ hashed: true })).toMatch(
      /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /,
    );
    expect(sshd.knownHostsLine({ wrongKey: true })).not.toContain(sshd.hostPublicKey);

    const home = await sshd.makeHome({ hashed: true });
    const login = runSsh(home, sshd.port, [`${sshd.user}@${sshd.host}`, 'true']);
    expect((await login.done).code).toBe(0);

    const localSocket = join(home, 'forwarded.sock');
    const forward = runSsh(home, sshd.port, [
      '-N',
      '-L',
      `${localSocket}:${dockerd.socketPath}`,
      `${sshd.user}@${sshd.host}`,
    ]);
    try {
      const client = engineClient({ socketPath: localSocket });
      let ping: Awaited<ReturnType<typeof client.ping>> | undefined;
      for (let i = 0; i < 100 && ping === undefined; i++) {
        ping = await client.ping().catch(() => undefined);
        if (ping === undefined) await sleep(100);
      }
      expect(ping?.ok).toBe(true);
      expect(ping?.apiVersion).toBe('1.41');
    } finally {
      forward.kill();
      await forward.done;
    }

    const wrongHome = await sshd.makeHome({ wrongKey: true });
    const refused = await runSsh(wrongHome, sshd.port, [`${sshd.user}@${sshd.host}`, 'true']).done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);

    await sshd.stop();
    expect(isAlive(sshd.pid)).toBe(false);
    expect(existsSync(home)).toBe(false);
  });
});
