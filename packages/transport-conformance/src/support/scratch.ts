// A fresh temporary directory for the running test, removed when the test ends (pass or fail).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export async function scratchDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skopeo-ts-conformance-'));
  onTestFinished(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}
