// Flag syntax skopeo users type that commander does not take as is: Go booleans written
// `--flag=false` (pflag), Go durations (`1m30s`, `500ms`) and plain integers.
import { InvalidArgumentError } from 'commander';

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return undefined;
}

/**
 * Rewrites `--name=true|false` for boolean flags into what commander understands: `--name`, or
 * `--no-name` when that negation exists (else the flag is dropped: false is its default).
 * Arguments after `--` are left alone.
 */
export function rewriteGoBooleans(
  argv: readonly string[],
  booleans: ReadonlySet<string>,
  negatable: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const arg of argv) {
    if (passthrough || arg === '--') {
      passthrough = true;
      out.push(arg);
      continue;
    }
    const match = /^--([^=]+)=(.*)$/.exec(arg);
    const name = match?.[1];
    const value = match ? parseGoBool(match[2] as string) : undefined;
    if (name === undefined || value === undefined || !booleans.has(name)) {
      out.push(arg);
      continue;
    }
    if (value) out.push(`--${name}`);
    else if (negatable.has(name)) out.push(`--no-${name}`);
  }
  return out;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration ("300ms", "1.5h", "2h45m", "0") in milliseconds. */
export function parseGoDuration(text: string): number {
  const invalid = () => new InvalidArgumentError(`invalid duration "${text}" (examples: 500ms, 10s, 1m30s)`);
  let rest = text.trim();
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!match) throw invalid();
    total += Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

/** A commander argument parser for non-negative integers. */
export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new InvalidArgumentError(`expected a non-negative integer, got "${text}"`);
  return Number(text.trim());
}

/** Accumulates a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
