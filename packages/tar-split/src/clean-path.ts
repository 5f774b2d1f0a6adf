// Go's path/filepath.Clean on Unix, over raw bytes held as a latin1 string (names need not be
// UTF-8, and Clean only looks at '/' and '.'). tar-split refuses two file entries whose cleaned
// names are equal, so we must clean exactly as Go does.

/** filepath.Clean of `name` (bytes as latin1 characters). */
export function cleanPath(name: string): string {
  if (name === '') return '.';
  const rooted = name.startsWith('/');
  const kept: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (kept.length > 0 && kept[kept.length - 1] !== '..') kept.pop();
      else if (!rooted) kept.push('..');
      continue;
    }
    kept.push(part);
  }
  const joined = kept.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** The key tar-split's duplicate check compares: the cleaned name's bytes. */
export function duplicateKey(name: Uint8Array): string {
  return cleanPath(Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('latin1'));
}
