// Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the main thread's time went, by
// function (self time) and by kind of work. Time spent in native code called from JS (sha256
// update, fs writes, zlib calls) counts for the JS function that called it; "(idle)" is the main
// thread waiting for I/O or the libuv thread pool.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  categories: { name: string; ms: number }[];
  functions: { name: string; ms: number }[];
}

/** Native fs bindings: their self time is the call into libuv (queueing work for the thread pool). */
const FS_BINDINGS = new Set([
  'read',
  'writeBuffer',
  'writeBuffers',
  'writeString',
  'open',
  'close',
  'fsync',
  'fdatasync',
  'fstat',
  'stat',
  'lstat',
  'rename',
  'mkdir',
  'readdir',
  'unlink',
  'rmdir',
  'link',
  'realpath',
  'openFileHandle',
]);

/** The kind of work a frame does, from its function and script. */
function categoryOf(frame: ProfileNode['callFrame']): string {
  const { functionName: fn, url } = frame;
  if (fn === '(idle)') return 'idle (waiting for I/O / thread pool)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'V8/native, unattributed';
  if (url === '' && FS_BINDINGS.has(fn)) return 'fs calls into libuv (native)';
  if (url.includes('internal/crypto')) return 'sha256 (node:crypto)';
  if (url.includes('zlib')) return 'zlib';
  if (
    url.includes('internal/modules') ||
    url.includes('internal/bootstrap') ||
    url.includes('internal/process/pre_execution')
  )
    return 'startup: loading and compiling modules';
  if (url.includes('internal/fs') || url === 'node:fs') return 'fs streams/promises (JS)';
  if (url.includes('internal/streams') || url === 'node:stream') return 'stream machinery (node:stream)';
  if (url.includes('buffer')) return 'Buffer allocation/copy';
  if (url.includes('tar-stream') || url.includes('streamx') || url.includes('b4a'))
    return 'tar-stream/streamx';
  if (url.includes('commander')) return 'CLI argument parsing';
  if (url.startsWith('node:') || url === '') return 'other Node internals';
  if (url.includes('/transport-')) return 'transports (JS)';
  if (url.includes('/core/') || url.includes('/cli/') || url.includes('/bench/'))
    return 'skopeo-ts core/CLI (JS)';
  return 'other JS';
}

function frameName(frame: ProfileNode['callFrame']): string {
  const fn = frame.functionName || '(anonymous)';
  if (frame.url === '') return fn;
  const file = frame.url.startsWith('node:') ? frame.url : basename(frame.url);
  return `${fn} ${file}:${frame.lineNumber + 1}`;
}

export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, micros] of self) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const category = categoryOf(node.callFrame);
    categories.set(category, (categories.get(category) ?? 0) + micros);
    const name = frameName(node.callFrame);
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const sorted = (map: Map<string, number>) =>
    [...map.entries()].map(([name, micros]) => ({ name, ms: micros / 1000 })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    categories: sorted(categories),
    functions: sorted(functions)
      .filter((entry) => !entry.name.startsWith('(idle)'))
      .slice(0, top),
  };
}

/** The one .cpuprofile a profiled run left in `dir`. */
export async function readProfile(dir: string): Promise<CpuProfile> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (names.length === 0) throw new Error(`no .cpuprofile written in ${dir}`);
  // Several when the copier spawned Node children; the biggest is the copy itself.
  let best: CpuProfile | undefined;
  for (const name of names) {
    const profile = JSON.parse(await readFile(join(dir, name), 'utf8')) as CpuProfile;
    if (best === undefined || profile.samples.length > best.samples.length) best = profile;
  }
  return best as CpuProfile;
}
