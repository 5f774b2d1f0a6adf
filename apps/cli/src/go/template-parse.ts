// Parser for the part of Go's text/template that `--format` users write: text, {{pipelines}} with
// fields, variables, literals, function calls and `|`, trim markers, comments, and the
// if / else / else if / with / range / end blocks.

export type Arg =
  | { readonly type: 'dot' }
  /** `.A.B` on dot, `$x.A` on a variable, `(pipe).A` on a pipeline result. */
  | { readonly type: 'field'; readonly base: Arg; readonly names: readonly string[] }
  | { readonly type: 'variable'; readonly name: string }
  | { readonly type: 'function'; readonly name: string }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'nil' }
  | { readonly type: 'pipe'; readonly pipe: Pipeline };

export interface Command {
  readonly args: readonly Arg[];
}

export interface Pipeline {
  /** Variables declared (`$x :=`, `$i, $e :=` in range) or assigned (`$x =`). */
  readonly declare: readonly string[];
  readonly assign: boolean;
  readonly commands: readonly Command[];
  /** Source text, for error messages. */
  readonly source: string;
  readonly position: Position;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** {{if}}, {{with}} or {{range}} with its body and {{else}} part. */
export interface BlockNode {
  readonly type: 'if' | 'with' | 'range';
  readonly pipe: Pipeline;
  readonly body: readonly TemplateNode[];
  readonly otherwise: readonly TemplateNode[] | undefined;
}

export type TemplateNode =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'action'; readonly pipe: Pipeline }
  | BlockNode;

export class TemplateParseError extends Error {
  constructor(name: string, position: Position, message: string) {
    super(`template: ${name}:${position.line}:${position.column}: ${message}`);
    this.name = 'TemplateParseError';
  }
}

interface RawAction {
  content: string;
  position: Position;
}

type Piece = { kind: 'text'; text: string } | { kind: 'action'; action: RawAction };

/** Splits the template into text and action pieces, applying `{{-` and `-}}` trimming. */
function splitPieces(name: string, source: string): Piece[] {
  const pieces: Piece[] = [];
  let offset = 0;
  let trimNextText = false;
  while (offset <= source.length) {
    const open = source.indexOf('{{', offset);
    let text = source.slice(offset, open < 0 ? source.length : open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    trimNextText = false;
    if (open < 0) {
      if (text !== '') pieces.push({ kind: 'text', text });
      break;
    }
    let contentStart = open + 2;
    if (source.startsWith('- ', contentStart) || source.startsWith('-\t', contentStart)) {
      text = text.replace(/\s+$/, '');
      contentStart += 1;
    }
    if (text !== '') pieces.push({ kind: 'text', text });
    const position = positionOf(source, open);
    const close = findActionEnd(name, source, contentStart, position);
    let contentEnd = close;
    if (/[ \t\n\r]-$/.test(source.slice(Math.max(contentStart, close - 2), close))) {
      contentEnd = close - 1;
      trimNextText = true;
    }
    const content = source.slice(contentStart, contentEnd);
    if (!/^\s*\/\*[\s\S]*\*\/\s*$/.test(content)) {
      pieces.push({ kind: 'action', action: { content, position: positionOf(source, contentStart) } });
    }
    offset = close + 2;
  }
  return pieces;
}

/** The index of the `}}` closing an action, skipping quoted strings. */
function findActionEnd(name: string, source: string, from: number, position: Position): number {
  let i = from;
  while (i < source.length) {
    const char = source[i];
    if (char === '"' || char === '`' || char === "'") {
      const end = skipQuoted(source, i);
      if (end < 0) throw new TemplateParseError(name, position, 'unterminated quoted string');
      i = end;
      continue;
    }
    if (source.startsWith('}}', i)) return i;
    i++;
  }
  throw new TemplateParseError(name, position, 'unclosed action');
}

function skipQuoted(source: string, start: number): number {
  const quote = source[start];
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\' && quote !== '`') {
      i += 2;
      continue;
    }
    if (char === quote) return i + 1;
    if (char === '\n' && quote !== '`') return -1;
    i++;
  }
  return -1;
}

function positionOf(source: string, offset: number): Position {
  const before = source.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - (lastNewline + 1) };
}

type Token =
  | { kind: 'field'; names: string[] }
  | { kind: 'dot' }
  | { kind: 'variable'; name: string; names: string[] }
  | { kind: 'identifier'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'pipe' }
  | { kind: 'open' }
  | { kind: 'close'; names: string[] }
  | { kind: 'declare' }
  | { kind: 'assign' }
  | { kind: 'comma' };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/;

function fieldNames(chain: string): string[] {
  return chain.split('.').slice(1);
}

function tokenize(name: string, action: RawAction): Token[] {
  const tokens: Token[] = [];
  const text = action.content;
  let i = 0;
  const fail = (message: string): never => {
    throw new TemplateParseError(name, action.position, message);
  };
  while (i < text.length) {
    const rest = text.slice(i);
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === '|') {
      tokens.push({ kind: 'pipe' });
      i++;
    } else if (char === '(') {
      tokens.push({ kind: 'open' });
      i++;
    } else if (char === ')') {
      const chain = FIELD_CHAIN.exec(rest.slice(1));
      tokens.push({ kind: 'close', names: chain ? fieldNames(chain[0]) : [] });
      i += 1 + (chain ? chain[0].length : 0);
    } else if (rest.startsWith(':=')) {
      tokens.push({ kind: 'declare' });
      i += 2;
    } else if (char === '=') {
      tokens.push({ kind: 'assign' });
      i++;
    } else if (char === ',') {
      tokens.push({ kind: 'comma' });
      i++;
    } else if (char === '"' || char === '`') {
      const end = skipQuoted(text, i);
      if (end < 0) fail('unterminated quoted string');
      tokens.push({ kind: 'string', value: unquote(text.slice(i, end), fail) });
      i = end;
    } else if (char === '.') {
      const chain = FIELD_CHAIN.exec(rest);
      if (chain) {
        tokens.push({ kind: 'field', names: fieldNames(chain[0]) });
        i += chain[0].length;
      } else {
        tokens.push({ kind: 'dot' });
        i++;
      }
    } else if (char === '$') {
      const identifier = IDENTIFIER.exec(rest.slice(1));
      const variable = `$${identifier ? identifier[0] : ''}`;
      const chain = FIELD_CHAIN.exec(rest.slice(variable.length));
      tokens.push({ kind: 'variable', name: variable, names: chain ? fieldNames(chain[0]) : [] });
      i += variable.length + (chain ? chain[0].length : 0);
    } else if (/[-+0-9]/.test(char)) {
      const number = /^[-+]?(?:0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][-+]?[0-9]+)?)/.exec(rest);
      if (!number) fail(`bad number syntax: ${JSON.stringify(rest.slice(0, 10))}`);
      const literal = (number as RegExpExecArray)[0];
      tokens.push({ kind: 'number', value: Number(literal.replaceAll('_', '')) });
      i += literal.length;
    } else {
      const identifier = IDENTIFIER.exec(rest);
      if (!identifier) fail(`unexpected ${JSON.stringify(char)} in command`);
      tokens.push({ kind: 'identifier', name: (identifier as RegExpExecArray)[0] });
      i += (identifier as RegExpExecArray)[0].length;
    }
  }
  return tokens;
}

/** A Go string literal: "..." with escapes (as JSON, plus \a \v \x and \' ), or a raw `...`. */
function unquote(literal: string, fail: (message: string) => never): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[++i];
    switch (next) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
      case '"':
      case "'":
        out += next;
        break;
      case 'x':
        out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
        break;
      case 'u':
        out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 5), 16));
        i += 4;
        break;
      default:
        fail(`invalid escape \\${next ?? ''} in ${literal}`);
    }
  }
  return out;
}

class PipelineParser {
  private index = 0;

  constructor(
    private readonly name: string,
    private readonly tokens: readonly Token[],
    private readonly action: RawAction,
  ) {}

  private fail(message: string): never {
    throw new TemplateParseError(this.name, this.action.position, message);
  }

  parse(allowDeclaration: boolean): Pipeline {
    const declare: string[] = [];
    let assign = false;
    // `$x :=`, `$i, $e :=` (range), `$x =`
    const declarationEnd = this.tokens.findIndex(
      (token) => token.kind === 'declare' || token.kind === 'assign',
    );
    if (declarationEnd > 0) {
      const names = this.tokens.slice(0, declarationEnd);
      const valid = names.every((token, i) =>
        i % 2 === 0 ? token.kind === 'variable' && token.names.length === 0 : token.kind === 'comma',
      );
      if (valid && allowDeclaration) {
        for (const token of names) if (token.kind === 'variable') declare.push(token.name);
        assign = this.tokens[declarationEnd]?.kind === 'assign';
        this.index = declarationEnd + 1;
      }
    }
    const pipe = this.pipeline(declare, assign, false);
    if (this.index < this.tokens.length) this.fail('unexpected token after the pipeline');
    return pipe;
  }

  private pipeline(declare: string[], assign: boolean, nested: boolean): Pipeline {
    const commands: Command[] = [];
    let args: Arg[] = [];
    while (this.index < this.tokens.length) {
      const token = this.tokens[this.index] as Token;
      if (token.kind === 'close') {
        if (!nested) this.fail('unexpected ")"');
        break;
      }
      this.index++;
      if (token.kind === 'pipe') {
        if (args.length === 0) this.fail('missing command before "|"');
        commands.push({ args });
        args = [];
        continue;
      }
      args.push(this.operand(token));
    }
    if (args.length > 0) commands.push({ args });
    if (commands.length === 0) this.fail('missing value for command');
    return { declare, assign, commands, source: this.action.content.trim(), position: this.action.position };
  }

  private operand(token: Token): Arg {
    switch (token.kind) {
      case 'dot':
        return { type: 'dot' };
      case 'field':
        return { type: 'field', base: { type: 'dot' }, names: token.names };
      case 'variable': {
        const variable: Arg = { type: 'variable', name: token.name };
        return token.names.length === 0 ? variable : { type: 'field', base: variable, names: token.names };
      }
      case 'string':
        return { type: 'string', value: token.value };
      case 'number':
        return { type: 'number', value: token.value };
      case 'identifier':
        if (token.name === 'true' || token.name === 'false')
          return { type: 'bool', value: token.name === 'true' };
        if (token.name === 'nil') return { type: 'nil' };
        return { type: 'function', name: token.name };
      case 'open': {
        const inner = this.pipeline([], false, true);
        const close = this.tokens[this.index];
        if (close?.kind !== 'close') this.fail('unclosed left paren');
        this.index++;
        const pipe: Arg = { type: 'pipe', pipe: inner };
        const names = (close as { names: string[] }).names;
        return names.length === 0 ? pipe : { type: 'field', base: pipe, names };
      }
      default:
        return this.fail(`unexpected "${token.kind}" in operand`);
    }
  }
}

function parsePipeline(name: string, action: RawAction, allowDeclaration: boolean): Pipeline {
  return new PipelineParser(name, tokenize(name, action), action).parse(allowDeclaration);
}

const KEYWORD = /^\s*(if|with|range|else|end)\b\s*/;

/** Parses a template into a node list. `name` appears in error messages, as Go's template name. */
export function parseTemplate(name: string, source: string): TemplateNode[] {
  const pieces = splitPieces(name, source);
  let index = 0;

  interface Block {
    nodes: TemplateNode[];
    /** What ended the list: end of input, {{end}} or {{else ...}}. */
    terminator: { kind: 'eof' } | { kind: 'end' } | { kind: 'else'; rest: string; action: RawAction };
  }

  const list = (): Block => {
    const nodes: TemplateNode[] = [];
    while (index < pieces.length) {
      const piece = pieces[index++] as Piece;
      if (piece.kind === 'text') {
        nodes.push({ type: 'text', text: piece.text });
        continue;
      }
      const action = piece.action;
      const keyword = KEYWORD.exec(action.content);
      if (!keyword) {
        nodes.push({ type: 'action', pipe: parsePipeline(name, action, true) });
        continue;
      }
      const word = keyword[1] as 'if' | 'with' | 'range' | 'else' | 'end';
      const rest = action.content.slice(keyword[0].length);
      if (word === 'end') {
        if (rest.trim() !== '')
          throw new TemplateParseError(name, action.position, 'unexpected text after end');
        return { nodes, terminator: { kind: 'end' } };
      }
      if (word === 'else') return { nodes, terminator: { kind: 'else', rest, action } };
      nodes.push(block(word, { content: rest, position: action.position }));
    }
    return { nodes, terminator: { kind: 'eof' } };
  };

  const block = (word: 'if' | 'with' | 'range', action: RawAction): TemplateNode => {
    const pipe = parsePipeline(name, action, word !== 'if');
    const body = list();
    if (body.terminator.kind === 'eof') {
      throw new TemplateParseError(name, action.position, `unexpected EOF: {{${word}}} without {{end}}`);
    }
    if (body.terminator.kind === 'end') return { type: word, pipe, body: body.nodes, otherwise: undefined };
    const elseRest = body.terminator.rest;
    const chained = /^\s*(if|with)\b\s*/.exec(elseRest);
    if (chained) {
      // {{else if x}} ... {{end}}: one {{end}} closes the chain.
      const nested = block(chained[1] as 'if' | 'with', {
        content: elseRest.slice(chained[0].length),
        position: body.terminator.action.position,
      });
      return { type: word, pipe, body: body.nodes, otherwise: [nested] };
    }
    if (elseRest.trim() !== '') {
      throw new TemplateParseError(name, body.terminator.action.position, 'unexpected text after else');
    }
    const otherwise = list();
    if (otherwise.terminator.kind !== 'end') {
      throw new TemplateParseError(name, action.position, `{{else}} of {{${word}}} without {{end}}`);
    }
    return { type: word, pipe, body: body.nodes, otherwise: otherwise.nodes };
  };

  const top = list();
  if (top.terminator.kind !== 'eof') {
    const what = top.terminator.kind === 'end' ? '{{end}}' : '{{else}}';
    throw new TemplateParseError(name, { line: 1, column: 0 }, `unexpected ${what}`);
  }
  return top.nodes;
}
