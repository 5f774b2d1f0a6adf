// Seeded, bounded faults (connection resets mid-body, truncated bodies, 500s, 429s) injected by
// testkit's proxy in front of a real docker-registry, on pulls (registry → oci layout) and pushes
// (oci layout → registry), with and without ctx.retry. Every copy must end either correct or
// cleanly failed (a SkopeoError): never a corrupted or partial image at the destination. A failing
// seed names its faults, so it can be replayed alone.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, copyImage, isSkopeoError } from '@skopeo-ts/core';
import {
  buildOciImage,
  type FaultProxy,
  fixtures,
  makeTempDir,
  type RunningRegistry,
  type SeededFaults,
  seededFaults,
  startFaultProxy,
  startRegistry,
  type TempDir,
  verifyOciLayout,
} from '@skopeo-ts/testkit';
import { ociTransport } from '@skopeo-ts/transport-oci';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { docker, INSECURE, uniqueRepo, useTempDirs } from './helpers.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
/** Long enough for retries, short enough that a hung copy is reported as one. */
const SCENARIO_TIMEOUT_MS = 30_000;
const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const oci = (rest: string) => ociTransport.parseReference(rest);
const tmp = useTempDirs();
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

let registry: RunningRegistry;
let proxy: FaultProxy;
let sourceDir: TempDir;
/** The fixture layout (`DIR:v1`) every push starts from. */
let sourceLayout: string;
/** The image every pull reads, pushed without faults. */
let sourceRepo: string;
/** The manifest digest of the fixture once in the registry (pushes convert nothing twice). */
let expectedDigest: string;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  // Not from tmp(): those go after each test, this serves them all.
  sourceDir = await makeTempDir('skopeo-ts-docker-bounded');
  await buildOciImage(`${sourceDir.path}/layout`, fixtures.multiLayer(), { tag: 'v1' });
  sourceLayout = `${sourceDir.path}/layout:v1`;
  sourceRepo = uniqueRepo('bounded');
  const pushed = await copyImage(oci(sourceLayout), docker(`//${registry.host}/${sourceRepo}:v1`), {
    destinationContext: INSECURE,
  });
  expectedDigest = pushed.digest;
});

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
  await sourceDir?.cleanup();
});

beforeEach(() => proxy.reset());

/** Half the seeds retry network errors and 5xx; the rest rely on the 429 handling alone. */
function contextFor(seed: number): Context {
  return seed % 2 === 0 ? { ...INSECURE, retry: { times: 3, delayMs: 5 } } : INSECURE;
}

/** Requests a seed may aim at: the transfers, and the manifest that commits (or names) the image. */
interface Targets {
  transfers: (req: IncomingMessage) => boolean;
  manifests: (req: IncomingMessage) => boolean;
}

/**
 * Seeds 4k aim at the transfers and 4k+1 at the manifest requests (which pings, HEADs and blobs
 * would otherwise use the faults up on); the others may hit any request.
 */
function faultsFor(seed: number, targets: Targets): SeededFaults {
  const aim = seed % 4;
  const faults = seededFaults({
    seed,
    maxFaults: 1 + (Math.floor(seed / 4) % 4),
    rate: aim === 1 ? 0.8 : 0.3,
    ...(aim === 0 ? { applies: targets.transfers } : aim === 1 ? { applies: targets.manifests } : {}),
  });
  proxy.rules.push(faults.rule);
  return faults;
}

const isManifest = (req: IncomingMessage) => (req.url ?? '').includes('/manifests/');
const PULL_TARGETS: Targets = {
  transfers: (req) => req.method === 'GET' && (req.url ?? '').includes('/blobs/'),
  manifests: (req) => req.method === 'GET' && isManifest(req),
};
const PUSH_TARGETS: Targets = {
  transfers: (req) => ['POST', 'PATCH', 'PUT'].includes(req.method ?? '') && !isManifest(req),
  manifests: (req) => req.method === 'PUT' && isManifest(req),
};

type Outcome = { ok: true; digest: string } | { ok: false; error: unknown };

async function outcomeOf(copy: Promise<{ digest: string }>): Promise<Outcome> {
  try {
    return { ok: true, digest: (await copy).digest };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The scenario for failure messages; SKOPEO_TS_DEBUG_FAULTS=1 prints every one. */
function describeOutcome(seed: number, outcome: Outcome, faults: SeededFaults): string {
  const result = outcome.ok ? `copied ${outcome.digest}` : `failed: ${String(outcome.error)}`;
  const text = `seed ${seed}: ${result}\nfaults:\n${faults.describe()}`;
  if (process.env.SKOPEO_TS_DEBUG_FAULTS === '1') console.error(text);
  return text;
}

const tally = { pull: { ok: 0, failed: 0 }, push: { ok: 0, failed: 0 }, faults: 0 };

/** Every file under blobs/sha256 hashes to its name: no partial blob took a final name. */
async function expectBlobsIntact(layoutDir: string, context: string): Promise<void> {
  const blobs = join(layoutDir, 'blobs', 'sha256');
  const names = await readdir(blobs).catch(() => [] as string[]);
  for (const name of names) {
    expect(sha256(await readFile(join(blobs, name))), `${context}\nblob ${name}`).toBe(`sha256:${name}`);
  }
}

/** The index entries tagged v1, or [] when there is no index.json. */
async function taggedEntries(layoutDir: string): Promise<{ digest: string }[]> {
  let text: string;
  try {
    text = await readFile(join(layoutDir, 'index.json'), 'utf8');
  } catch {
    return [];
  }
  const index = JSON.parse(text) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  return index.manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1');
}

describe('pulls through seeded faults', () => {
  it.each(SEEDS)(
    'seed %i: the oci layout holds the whole image or none of it',
    async (seed) => {
      const faults = faultsFor(seed, PULL_TARGETS);
      const out = `${await tmp()}/out`;
      const outcome = await outcomeOf(
        copyImage(docker(`//${proxy.host}/${sourceRepo}:v1`), oci(`${out}:v1`), {
          sourceContext: contextFor(seed),
        }),
      );
      proxy.rules = [];
      const context = describeOutcome(seed, outcome, faults);
      tally.faults += faults.injected.length;
      if (outcome.ok) tally.pull.ok++;
      else {
        tally.pull.failed++;
        expect(isSkopeoError(outcome.error), `${context}\nnot a SkopeoError`).toBe(true);
      }
      const entries = await taggedEntries(out);
      if (outcome.ok) {
        expect(outcome.digest, context).toBe(expectedDigest);
        expect(
          entries.map((e) => e.digest),
          context,
        ).toEqual([expectedDigest]);
      } else {
        // Nothing tagged, or (an index written before a late failure) the complete image.
        for (const entry of entries) expect(entry.digest, context).toBe(expectedDigest);
      }
      if (entries.length > 0)
        await verifyOciLayout(out).catch((error: Error) => expect.fail(`${context}\n${error.message}`));
      await expectBlobsIntact(out, context);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

/** The registry's answer for `repo:v1`, read directly (not through the proxy). */
async function manifestInRegistry(repo: string): Promise<Buffer | undefined> {
  const response = await fetch(`${registry.url}/v2/${repo}/manifests/v1`, { headers: { accept: ACCEPT } });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`GET manifest of ${repo}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function expectBlobInRegistry(repo: string, blob: { digest: string; size: number }, context: string) {
  const response = await fetch(`${registry.url}/v2/${repo}/blobs/${blob.digest}`);
  expect(response.status, `${context}\nblob ${blob.digest}`).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(bytes.length, `${context}\nsize of ${blob.digest}`).toBe(blob.size);
  expect(sha256(bytes), `${context}\ncontent of ${blob.digest}`).toBe(blob.digest);
}

describe('pushes through seeded faults', () => {
  it.each(SEEDS)(
    'seed %i: the registry serves the whole image under the tag, or no manifest',
    async (seed) => {
      const faults = faultsFor(seed, PUSH_TARGETS);
      const repo = uniqueRepo('bounded-push');
      const outcome = await outcomeOf(
        copyImage(oci(sourceLayout), docker(`//${proxy.host}/${repo}:v1`), {
          destinationContext: contextFor(seed),
        }),
      );
      proxy.rules = [];
      const context = describeOutcome(seed, outcome, faults);
      tally.faults += faults.injected.length;
      if (outcome.ok) tally.push.ok++;
      else {
        tally.push.failed++;
        expect(isSkopeoError(outcome.error), `${context}\nnot a SkopeoError`).toBe(true);
      }
      const manifest = await manifestInRegistry(repo);
      if (outcome.ok) {
        expect(manifest, `${context}\nno manifest after a successful push`).toBeDefined();
        expect(outcome.digest, context).toBe(expectedDigest);
      }
      if (manifest === undefined) return;
      // A failed push may still have landed its manifest (an answer lost after the registry
      // stored it): then it must be the whole image.
      expect(sha256(manifest), context).toBe(expectedDigest);
      const parsed = JSON.parse(manifest.toString()) as {
        config: { digest: string; size: number };
        layers: { digest: string; size: number }[];
      };
      for (const blob of [parsed.config, ...parsed.layers]) await expectBlobInRegistry(repo, blob, context);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

describe('the scenarios', () => {
  it('injected faults, and ended both ways: some copies succeeded, some failed', () => {
    expect(tally.faults).toBeGreaterThan(20);
    expect(tally.pull.ok, JSON.stringify(tally)).toBeGreaterThan(0);
    expect(tally.pull.failed, JSON.stringify(tally)).toBeGreaterThan(0);
    expect(tally.push.ok, JSON.stringify(tally)).toBeGreaterThan(0);
    expect(tally.push.failed, JSON.stringify(tally)).toBeGreaterThan(0);
  });
});
