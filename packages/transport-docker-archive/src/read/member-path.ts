// Member names as the index keys them, and the checks that keep every name inside the archive.
import { posix } from 'node:path';

/** A member name without "./", duplicate or trailing slashes; a reason when it leads outside. */
export function normalizeMemberName(raw: string): { name: string } | { problem: string } {
  if (raw.startsWith('/')) return { problem: 'absolute member names are not allowed' };
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return { problem: 'member names must not contain ".."' };
  return { name: parts.join('/') };
}

/** Where a symlink member points, as a member name; a reason when it leads outside. */
export function symlinkTargetName(member: string, target: string): { name: string } | { problem: string } {
  if (target === '') return { problem: 'the symlink target is empty' };
  if (target.startsWith('/')) return { problem: `the symlink target ${JSON.stringify(target)} is absolute` };
  const joined = posix.normalize(posix.join(posix.dirname(member), target));
  if (joined === '..' || joined.startsWith('../')) {
    return { problem: `the symlink target ${JSON.stringify(target)} leads outside the archive` };
  }
  return { name: joined === '.' ? '' : joined };
}
