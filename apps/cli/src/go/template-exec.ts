// Executes parsed templates over GoValues with text/template's rules (fields, map keys, range,
// truthiness, "<no value>") and the functions skopeo's formatter offers: Go's builtins that make
// sense here plus containers/common's json, join, lower, upper, title, split, pad, truncate.
import { formatGoValue } from './format.js';
import { marshalGoJson } from './json.js';
import type { Arg, BlockNode, Pipeline, TemplateNode } from './template-parse.js';
import { type GoValue, goBool, goInt, goString, goStringSlice, isGoTruthy, sortedKeys } from './value.js';

/** undefined stands for Go's invalid reflect.Value (a missing map key): printed "<no value>". */
type Value = GoValue | undefined;

export class TemplateExecError extends Error {
  constructor(name: string, pipe: Pipeline, message: string) {
    super(
      `template: ${name}:${pipe.position.line}:${pipe.position.column}: executing "${name}" at <${pipe.source}>: ${message}`,
    );
    this.name = 'TemplateExecError';
  }
}

type TemplateFunction = (args: Value[], fail: (message: string) => never) => Value;

function stringArg(value: Value, fail: (message: string) => never, what: string): string {
  if (value?.kind !== 'string') fail(`${what}: expected a string, got ${describe(value)}`);
  return (value as { value: string }).value;
}

function intArg(value: Value, fail: (message: string) => never, what: string): number {
  if (value?.kind !== 'int') fail(`${what}: expected an integer, got ${describe(value)}`);
  return (value as { value: number }).value;
}

function describe(value: Value): string {
  if (value === undefined) return 'no value';
  return value.kind === 'struct' ? value.typeName : value.kind;
}

/** strings.Title: upper-cases the first letter of each word. */
function title(text: string): string {
  return text.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_match, before: string, letter: string) => {
    return before + letter.toUpperCase();
  });
}

function compare(a: Value, b: Value, fail: (message: string) => never): number {
  if (a?.kind === 'int' && b?.kind === 'int') return a.value - b.value;
  if (a?.kind === 'string' && b?.kind === 'string') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a?.kind === 'bool' && b?.kind === 'bool') return a.value === b.value ? 0 : Number.NaN;
  return fail(`incompatible types for comparison: ${describe(a)} and ${describe(b)}`);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
function sprint(args: Value[]): string {
  let out = '';
  args.forEach((arg, i) => {
    const previous = args[i - 1];
    if (i > 0 && arg?.kind !== 'string' && previous?.kind !== 'string') out += ' ';
    out += arg === undefined ? '<nil>' : formatGoValue(arg);
  });
  return out;
}

/** fmt.Sprintf for the verbs people use in formats: %s %v %d %q %%. */
function sprintf(format: string, args: Value[]): string {
  let next = 0;
  const text = format.replace(/%([-+# 0]*\d*)([svdq%])/g, (_match, flags: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[next++];
    if (arg === undefined && next > args.length) return `%!${verb}(MISSING)`;
    const text =
      arg === undefined ? '<nil>' : verb === 'q' ? JSON.stringify(formatGoValue(arg)) : formatGoValue(arg);
    const width = Number.parseInt(flags.replace(/[-+# 0]/g, ''), 10);
    if (Number.isNaN(width)) return text;
    return flags.includes('-') ? text.padEnd(width) : text.padStart(width, flags.includes('0') ? '0' : ' ');
  });
  return next < args.length ? `${text}%!(EXTRA ${args.slice(next).map(describe).join(', ')})` : text;
}

interface FunctionSpec {
  /** Exact number of arguments, checked before the call; undefined: the function checks. */
  arity?: number;
  call: TemplateFunction;
}

const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  json: {
    arity: 1,
    call: ([value]) => goString(value === undefined ? 'null' : marshalGoJson(value, { escapeHTML: false })),
  },
  join: {
    arity: 2,
    call: ([list, separator], fail) => {
      if (list?.kind !== 'slice') fail(`join: expected a list of strings, got ${describe(list)}`);
      const items = (list as { items: readonly GoValue[] | undefined }).items ?? [];
      return goString(
        items.map((item) => stringArg(item, fail, 'join')).join(stringArg(separator, fail, 'join')),
      );
    },
  },
  lower: { arity: 1, call: ([text], fail) => goString(stringArg(text, fail, 'lower').toLowerCase()) },
  upper: { arity: 1, call: ([text], fail) => goString(stringArg(text, fail, 'upper').toUpperCase()) },
  title: { arity: 1, call: ([text], fail) => goString(title(stringArg(text, fail, 'title'))) },
  split: {
    arity: 2,
    call: ([text, separator], fail) =>
      goStringSlice(stringArg(text, fail, 'split').split(stringArg(separator, fail, 'split'))),
  },
  pad: {
    arity: 3,
    call: ([text, prefix, suffix], fail) => {
      const source = stringArg(text, fail, 'pad');
      if (source === '') return goString('');
      return goString(
        ' '.repeat(intArg(prefix, fail, 'pad')) + source + ' '.repeat(intArg(suffix, fail, 'pad')),
      );
    },
  },
  truncate: {
    arity: 2,
    call: ([text, length], fail) =>
      goString(stringArg(text, fail, 'truncate').slice(0, intArg(length, fail, 'truncate'))),
  },
  len: {
    arity: 1,
    call: ([value], fail) => {
      if (value?.kind === 'string') return goInt(Buffer.byteLength(value.value));
      if (value?.kind === 'slice') return goInt(value.items?.length ?? 0);
      if (value?.kind === 'map') return goInt(value.entries?.size ?? 0);
      return fail(`len of ${describe(value)}`);
    },
  },
  index: {
    call: (args, fail) => {
      if (args.length === 0) fail('wrong number of args for index: want at least 1 got 0');
      let current = args[0];
      for (const key of args.slice(1)) {
        if (current?.kind === 'slice') {
          const position = intArg(key, fail, 'index');
          const items = current.items ?? [];
          if (position < 0 || position >= items.length)
            fail(`error calling index: index out of range: ${position}`);
          current = items[position];
        } else if (current?.kind === 'map') {
          current = current.entries?.get(stringArg(key, fail, 'index'));
          if (current === undefined) return goString('');
        } else {
          fail(`can't index item of type ${describe(current)}`);
        }
      }
      return current;
    },
  },
  print: { call: (args) => goString(sprint(args)) },
  println: {
    call: (args) =>
      goString(`${args.map((arg) => (arg === undefined ? '<nil>' : formatGoValue(arg))).join(' ')}\n`),
  },
  printf: {
    call: (args, fail) => {
      if (args.length === 0) fail('wrong number of args for printf: want at least 1 got 0');
      return goString(sprintf(stringArg(args[0], fail, 'printf'), args.slice(1)));
    },
  },
  not: { arity: 1, call: ([value]) => goBool(!isGoTruthy(value)) },
  and: { call: (args) => args.find((arg) => !isGoTruthy(arg)) ?? args[args.length - 1] },
  or: { call: (args) => args.find((arg) => isGoTruthy(arg)) ?? args[args.length - 1] },
  eq: {
    call: (args, fail) => {
      if (args.length < 2) fail('missing argument for comparison');
      return goBool(args.slice(1).some((arg) => compare(args[0], arg, fail) === 0));
    },
  },
  ne: { arity: 2, call: ([a, b], fail) => goBool(compare(a, b, fail) !== 0) },
  lt: { arity: 2, call: ([a, b], fail) => goBool(compare(a, b, fail) < 0) },
  le: { arity: 2, call: ([a, b], fail) => goBool(compare(a, b, fail) <= 0) },
  gt: { arity: 2, call: ([a, b], fail) => goBool(compare(a, b, fail) > 0) },
  ge: { arity: 2, call: ([a, b], fail) => goBool(compare(a, b, fail) >= 0) },
};

class Executor {
  private out = '';
  private readonly scopes: Array<Map<string, Value>> = [];

  constructor(
    private readonly name: string,
    root: GoValue,
  ) {
    this.scopes.push(new Map([['$', root]]));
  }

  run(nodes: readonly TemplateNode[], dot: Value): string {
    this.walk(nodes, dot);
    return this.out;
  }

  private walk(nodes: readonly TemplateNode[], dot: Value): void {
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          this.out += node.text;
          break;
        case 'action': {
          const value = this.pipeline(node.pipe, dot);
          if (node.pipe.declare.length === 0)
            this.out += value === undefined ? '<no value>' : formatGoValue(value);
          break;
        }
        case 'if':
        case 'with': {
          this.scopes.push(new Map());
          const value = this.pipeline(node.pipe, dot);
          if (isGoTruthy(value)) this.walk(node.body, node.type === 'with' ? value : dot);
          else if (node.otherwise) this.walk(node.otherwise, dot);
          this.scopes.pop();
          break;
        }
        case 'range':
          this.range(node, dot);
          break;
      }
    }
  }

  private range(node: BlockNode, dot: Value): void {
    const value = this.evaluateCommands(node.pipe, dot);
    const pairs: Array<[GoValue, Value]> = [];
    if (value?.kind === 'slice') {
      for (const [i, item] of (value.items ?? []).entries()) pairs.push([goInt(i), item]);
    } else if (value?.kind === 'map' && value.entries) {
      const entries = value.entries;
      for (const key of sortedKeys(entries)) pairs.push([goString(key), entries.get(key)]);
    } else if (value?.kind === 'int') {
      for (let i = 0; i < value.value; i++) pairs.push([goInt(i), goInt(i)]);
    } else if (value !== undefined && value.kind !== 'map') {
      throw new TemplateExecError(this.name, node.pipe, `range can't iterate over ${formatGoValue(value)}`);
    }
    if (pairs.length === 0) {
      if (node.otherwise) this.walk(node.otherwise, dot);
      return;
    }
    for (const [key, element] of pairs) {
      const scope = new Map<string, Value>();
      const [first, second] = node.pipe.declare;
      if (first !== undefined && second !== undefined) {
        scope.set(first, key);
        scope.set(second, element);
      } else if (first !== undefined) {
        scope.set(first, element);
      }
      this.scopes.push(scope);
      this.walk(node.body, element);
      this.scopes.pop();
    }
  }

  private pipeline(pipe: Pipeline, dot: Value): Value {
    const value = this.evaluateCommands(pipe, dot);
    for (const name of pipe.declare) {
      if (pipe.assign) {
        const scope = [...this.scopes].reverse().find((candidate) => candidate.has(name));
        if (!scope) throw new TemplateExecError(this.name, pipe, `undefined variable: ${name}`);
        scope.set(name, value);
      } else {
        (this.scopes[this.scopes.length - 1] as Map<string, Value>).set(name, value);
      }
    }
    return value;
  }

  private evaluateCommands(pipe: Pipeline, dot: Value): Value {
    let value: Value;
    let hasValue = false;
    for (const command of pipe.commands) {
      value = this.command(pipe, command.args, dot, hasValue ? [value] : []);
      hasValue = true;
    }
    return value;
  }

  private command(pipe: Pipeline, args: readonly Arg[], dot: Value, piped: Value[]): Value {
    const [first, ...rest] = args;
    if (first === undefined) throw new TemplateExecError(this.name, pipe, 'empty command');
    if (first.type === 'function') {
      const values = [...rest.map((arg) => this.argument(pipe, arg, dot)), ...piped];
      return this.call(pipe, first.name, values);
    }
    if (rest.length > 0 || piped.length > 0) {
      throw new TemplateExecError(
        this.name,
        pipe,
        `can't give argument to non-function ${describeArg(first)}`,
      );
    }
    return this.argument(pipe, first, dot);
  }

  private argument(pipe: Pipeline, arg: Arg, dot: Value): Value {
    switch (arg.type) {
      case 'dot':
        return dot;
      case 'string':
        return goString(arg.value);
      case 'number':
        return goInt(arg.value);
      case 'bool':
        return goBool(arg.value);
      case 'nil':
        throw new TemplateExecError(this.name, pipe, 'nil is not a command');
      case 'variable':
        return this.variable(pipe, arg.name);
      case 'pipe':
        return this.evaluateCommands(arg.pipe, dot);
      case 'function':
        return this.call(pipe, arg.name, []);
      case 'field': {
        let current = this.argument(pipe, arg.base, dot);
        for (const name of arg.names) current = this.field(pipe, current, name);
        return current;
      }
    }
  }

  private call(pipe: Pipeline, name: string, args: Value[]): Value {
    const spec = FUNCTIONS[name];
    if (!spec) throw new TemplateExecError(this.name, pipe, `function "${name}" not defined`);
    if (spec.arity !== undefined && args.length !== spec.arity) {
      throw new TemplateExecError(
        this.name,
        pipe,
        `wrong number of args for ${name}: want ${spec.arity} got ${args.length}`,
      );
    }
    return spec.call(args, (message) => {
      throw new TemplateExecError(this.name, pipe, `error calling ${name}: ${message}`);
    });
  }

  private variable(pipe: Pipeline, name: string): Value {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, Value>;
      if (scope.has(name)) return scope.get(name);
    }
    throw new TemplateExecError(this.name, pipe, `undefined variable: ${name}`);
  }

  private field(pipe: Pipeline, receiver: Value, name: string): Value {
    if (receiver?.kind === 'struct') {
      const field = receiver.fields.find((candidate) => candidate.name === name);
      if (field) return field.value;
      throw new TemplateExecError(
        this.name,
        pipe,
        `can't evaluate field ${name} in type ${receiver.typeName}`,
      );
    }
    if (receiver?.kind === 'map') return receiver.entries?.get(name);
    if (receiver?.kind === 'time' && receiver.value === undefined) {
      throw new TemplateExecError(this.name, pipe, `nil pointer evaluating *time.Time.${name}`);
    }
    throw new TemplateExecError(
      this.name,
      pipe,
      `can't evaluate field ${name} in type ${describe(receiver)}`,
    );
  }
}

function describeArg(arg: Arg): string {
  switch (arg.type) {
    case 'dot':
      return '.';
    case 'field':
      return `.${arg.names.join('.')}`;
    case 'variable':
      return arg.name;
    case 'string':
      return JSON.stringify(arg.value);
    default:
      return arg.type;
  }
}

export function executeTemplate(name: string, nodes: readonly TemplateNode[], data: GoValue): string {
  return new Executor(name, data).run(nodes, data);
}
