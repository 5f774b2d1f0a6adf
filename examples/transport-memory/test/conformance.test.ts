// The shared conformance suite, run against this transport with a store of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runTransportConformance } from '@skopeo-ts/transport-conformance';
import plugin, { MEMORY_DIR_VARIABLE } from '../src/index.js';

// Every source and destination the suite opens gets this context: the store lives in a temp dir.
const store = await mkdtemp(join(tmpdir(), 'skopeo-ts-memory-conformance-'));

runTransportConformance({
  name: 'memory',
  plugin,
  context: { env: { [MEMORY_DIR_VARIABLE]: store } },
  // Names only: the suite's scratch directory (unique per test) becomes part of the name.
  newLocation: (scratch, name) => `memory:${basename(scratch)}-${name}`,
  missingImage: (scratch) => `memory:${basename(scratch)}-missing`,
  invalidReferences: ['', 'has space', '../escape', 'a/b', '-starts-with-dash', 'x'.repeat(129)],
  capabilities: {
    manifestLists: true,
    signatures: false,
    delete: true,
    // Records are replaced by rename: the last writer wins, whole; other names are untouched.
    concurrentWriters: 'safe',
  },
  teardown: () => rm(store, { recursive: true, force: true }),
});
