// JSON as Go's encoding/json writes it (containers/storage's files are Go output): compact, with
// `<`, `>`, `&`, U+2028 and U+2029 escaped. JSON.stringify differs only in those escapes.

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Compact JSON with Go's HTML escaping (these characters only ever occur inside strings). */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** Go's time.RFC3339Nano for a Date: UTC, fractional seconds with trailing zeros trimmed. */
export function goTime(date: Date): string {
  const iso = date.toISOString(); // 2026-11-27T02:24:28.480Z
  return iso.replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}
