// WWW-Authenticate challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`.
// Several challenges may share one header, separated by commas like their parameters: a token not
// followed by "=" starts a new challenge.

export interface Challenge {
  /** Lowercase scheme: "bearer", "basic", … */
  scheme: string;
  /** Parameters by lowercase name. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /[ \t]/.test(this.text[this.pos] ?? '')) this.pos++;
  }
  skipSeparators(): void {
    while (this.pos < this.text.length && /[ \t,]/.test(this.text[this.pos] ?? '')) this.pos++;
  }
  token(): string | undefined {
    const match = TOKEN.exec(this.text.slice(this.pos));
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }
  peek(): string | undefined {
    return this.text[this.pos];
  }
  done(): boolean {
    return this.pos >= this.text.length;
  }
  quoted(): string {
    // At the opening quote.
    this.pos++;
    let value = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++];
      if (ch === '"') return value;
      if (ch === '\\' && this.pos < this.text.length) value += this.text[this.pos++];
      else value += ch;
    }
    return value;
  }
}

/** Parses one or more WWW-Authenticate header values; unparseable parts are skipped. */
export function parseChallenges(headers: string | readonly string[] | undefined): Challenge[] {
  if (headers === undefined) return [];
  const values = typeof headers === 'string' ? [headers] : headers;
  const challenges: Challenge[] = [];
  for (const value of values) {
    const cursor = new Cursor(value);
    let current: Challenge | undefined;
    while (!cursor.done()) {
      cursor.skipSeparators();
      const start = cursor.pos;
      const name = cursor.token();
      if (name === undefined) {
        // Junk: skip a quoted string whole, else one character.
        if (cursor.peek() === '"') cursor.quoted();
        else cursor.pos++;
        continue;
      }
      cursor.skipSpace();
      if (cursor.peek() === '=' && current !== undefined) {
        cursor.pos++;
        cursor.skipSpace();
        const param = cursor.peek() === '"' ? cursor.quoted() : (cursor.token() ?? '');
        current.params[name.toLowerCase()] = param;
        continue;
      }
      if (cursor.peek() === '=' && current === undefined) {
        // A parameter with no scheme before it: not a challenge we can use.
        cursor.pos = start + name.length + 1;
        if (cursor.peek() === '"') cursor.quoted();
        else cursor.token();
        continue;
      }
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
      // token68 form (`Basic abc==`) is not used by registries; parameters follow.
    }
  }
  return challenges;
}

/** The `error` parameter of a Bearer challenge says the token lacks a scope the request needs. */
export function insufficientScope(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer' && c.params.error === 'insufficient_scope');
}
