// Fast paths around cleanPath for the names of a real layer, which are almost all clean already
// (no empty, `.` or `..` parts, no trailing slash): a test without allocating, instead of a split
// and join for each of tens of thousands of entries.

import { cleanPath, duplicateKey } from './clean-path.js';

const NEEDS_CLEANING = /\/\/|(?:^|\/)\.\.?(?:\/|$)/;

/** Whether filepath.Clean leaves `name` (bytes as latin1) unchanged; false when unsure. */
function isClean(name: string): boolean {
  return name !== '' && name.charCodeAt(name.length - 1) !== 0x2f && !NEEDS_CLEANING.test(name);
}

/** duplicateKey, without cleaning names that are clean. */
export function nameKey(name: Buffer): string {
  const text = name.toString('latin1');
  return isClean(text) ? text : duplicateKey(name);
}

/** The name as a path relative to a root, every `..` that would climb above it dropped. */
export function pathInsideRoot(name: Buffer): Buffer {
  const text = name.toString('latin1');
  if (isClean(text) && text.charCodeAt(0) !== 0x2f) return name;
  // Rooted clean drops every `..` that would climb above the root.
  return Buffer.from(cleanPath(`/${text}`).slice(1), 'latin1');
}
