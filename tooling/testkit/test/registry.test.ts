import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir, mergeRegistryConfig, requirePeer, startRegistry } from '../src/index.js';

/** Pids of live processes whose command line mentions `needle` (zombies excluded). */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startRegistry', () => {
  it('serves /v2/ on loopback, stores blobs under rootDir, and stop leaves no process', async () => {
    const registry = await startRegistry();
    try {
      expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
      expect(registry.url).toBe(`http://${registry.host}`);
      const response = await fetch(`${registry.url}/v2/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');

      // An upload lands in our storage root, proving the config took effect.
      const upload = await fetch(`${registry.url}/v2/probe/blobs/uploads/`, { method: 'POST' });
      expect(upload.status).toBe(202);
      expect(existsSync(join(registry.rootDir, 'docker', 'registry', 'v2', 'repositories', 'probe'))).toBe(
        true,
      );
      expect(processesMentioning(registry.configPath)).toContain(registry.pid);
    } finally {
      await registry.stop();
    }
    expect(isAlive(registry.pid)).toBe(false);
    expect(processesMentioning(registry.configPath)).toEqual([]);
    expect(existsSync(registry.rootDir)).toBe(false);
    await registry.stop(); // idempotent
  });

  it('runs several registries side by side on different ports', async () => {
    const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.rootDir).not.toBe(b.rootDir);
      expect((await fetch(`${a.url}/v2/`)).status).toBe(200);
      expect((await fetch(`${b.url}/v2/`)).status).toBe(200);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('takes config fragments: htpasswd auth', async () => {
    const htpasswd = requirePeer('htpasswd', 'apache2-utils');
    const dir = await makeTempDir('htpasswd');
    const file = join(dir.path, 'htpasswd');
    await writeFile(file, execFileSync(htpasswd, ['-Bbn', 'alice', 'secret']));
    const registry = await startRegistry({
      config: { auth: { htpasswd: { realm: 'testkit', path: file } } },
    });
    try {
      const anonymous = await fetch(`${registry.url}/v2/`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="testkit"');
      const authorized = await fetch(`${registry.url}/v2/`, {
        headers: { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` },
      });
      expect(authorized.status).toBe(200);
    } finally {
      await registry.stop();
      await dir.cleanup();
    }
  });

  it('fails with the registry log when the registry cannot start', async () => {
    const start = startRegistry({ config: { storage: { filesystem: null, nosuchdriver: {} } } });
    await expect(start).rejects.toThrow(/exited .* before serving[\s\S]*registry log[\s\S]*nosuchdriver/);
  });

  it('merges config fragments: objects merge, null deletes, other values replace', () => {
    const merged = mergeRegistryConfig(
      { http: { addr: 'a', headers: { X: ['1'] } }, storage: { delete: { enabled: true } } },
      { http: { tls: { certificate: 'c', key: 'k' } }, storage: { delete: null }, log: { level: 'debug' } },
    );
    expect(merged).toEqual({
      http: { addr: 'a', headers: { X: ['1'] }, tls: { certificate: 'c', key: 'k' } },
      storage: {},
      log: { level: 'debug' },
    });
  });

  it.each([
    ['SIGKILL', 'the parent-death signal (no handler can run)'],
    ['SIGTERM', 'the signal handler (as when vitest ends a worker)'],
  ] as const)('kills the registry when the test process gets %s: %s', async (signal, _how) => {
    // A separate Node process starts a registry from the built kit and is then killed without
    // running its own teardown.
    const helper = await startHelper();
    expect(isAlive(helper.pid)).toBe(true);
    helper.child.kill(signal);
    const exit = await helper.exited;
    // After cleaning up, the handler re-raises the signal: the process still dies of it.
    expect(exit.signal).toBe(signal);
    const deadline = Date.now() + 10_000;
    while (processesMentioning(helper.configPath).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesMentioning(helper.configPath)).toEqual([]);
    const stateDir = dirname(helper.configPath);
    if (signal === 'SIGTERM') expect(existsSync(stateDir)).toBe(false);
    await rm(stateDir, { recursive: true, force: true }); // SIGKILL left it behind
  });
});

/** A Node process running a registry from the built kit (dist/, built by `pnpm build`). */
async function startHelper() {
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run "pnpm build" in tooling/testkit first`);
  const script = `import { startRegistry } from ${JSON.stringify(dist)};
    const r = await startRegistry();
    process.stdout.write(JSON.stringify({ pid: r.pid, configPath: r.configPath }) + '\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolve(buffered.split('\n')[0] ?? '');
    });
    void exited.then(({ code }) => reject(new Error(`helper exited early with ${code}`)));
  });
  const { pid, configPath } = JSON.parse(line) as { pid: number; configPath: string };
  return { child, exited, pid, configPath };
}
