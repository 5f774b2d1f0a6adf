// fmt's %v for GoValues, which text/template uses to print a value: "map[a:b]", "[x y]",
// "{f1 f2}", a *time.Time through its String method, "<nil>" for nil pointers.
import { formatGoTimeString } from './time.js';
import { type GoValue, sortedKeys } from './value.js';

export function formatGoValue(value: GoValue): string {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'int':
      return String(value.value);
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'time':
      return value.value === undefined ? '<nil>' : formatGoTimeString(value.value);
    case 'slice':
      return `[${(value.items ?? []).map(formatGoValue).join(' ')}]`;
    case 'map': {
      const entries = value.entries;
      if (entries === undefined) return 'map[]';
      const parts = sortedKeys(entries).map((key) => `${key}:${formatGoValue(entries.get(key) as GoValue)}`);
      return `map[${parts.join(' ')}]`;
    }
    case 'struct':
      return `{${value.fields.map((field) => formatGoValue(field.value)).join(' ')}}`;
  }
}
