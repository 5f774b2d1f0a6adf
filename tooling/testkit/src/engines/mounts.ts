// Engines leave mounts behind when they die hard: dockerd makes its data-root a private bind
// mount, podman/containers-storage keep `GRAPHROOT/overlay` and friends mounted. Deleting a
// directory with a live mount under it fails (EBUSY) or, worse, reaches into the mounted tree.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Mount points at or below `dir`, deepest first (so children go before their parents). */
export function mountsUnder(dir: string): string[] {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const found = new Set<string>();
  for (const line of table.split('\n')) {
    // Field 5 is the mount point, with spaces and other bytes escaped as \NNN (octal).
    const mountPoint = line.split(' ')[4];
    if (mountPoint === undefined) continue;
    const decoded = mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    if (decoded === dir || decoded.startsWith(prefix)) found.add(decoded);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything at or below `dir`; returns what was unmounted. */
export function unmountAllUnder(dir: string): string[] {
  const done: string[] = [];
  // A path may be mounted several times over (stacked bind mounts): repeat until none is left.
  for (let round = 0; round < 10; round++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) break;
    for (const mountPoint of mounts) {
      try {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
        done.push(mountPoint);
      } catch {
        // already gone, or not ours to unmount: the next round shows which
      }
    }
  }
  return done;
}
