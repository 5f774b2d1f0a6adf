// skopeo's `--format` handling (containers/common's report package): "json" and "{{json .}}"
// mean the indented JSON output; anything else is a Go template whose `\t` and `\n` escapes are
// turned into real characters, that ends with a newline, and that runs once per item.
import { marshalGoJson } from './json.js';
import { executeTemplate } from './template-exec.js';
import { parseTemplate, type TemplateNode } from './template-parse.js';
import { type GoValue, goSlice } from './value.js';

const JSON_FORMAT = /^\s*(json|{{\s*json *\.?\s*}})\s*$/;
const HAS_RANGE = /{{\s*range\s*\.\s*}}.*{{\s*end\s*-?\s*}}/;

export function isJsonFormat(format: string): boolean {
  return JSON_FORMAT.test(format);
}

/** json.MarshalIndent(data, "", "    ") plus the newline skopeo prints after it. */
export function indentedJson(data: GoValue): string {
  return `${marshalGoJson(data, { indent: '    ', escapeHTML: true })}\n`;
}

function normalizeFormat(format: string): string {
  const text = format.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Renders skopeo's `--format` output for one value. */
export function renderFormat(format: string, data: GoValue, name: string): string {
  if (format === '' || isJsonFormat(format)) return indentedJson(data);
  if (format.startsWith('table ')) {
    throw new Error('"table" formats are not supported by skopeo-ts inspect; drop the "table " prefix');
  }
  let nodes: TemplateNode[];
  try {
    nodes = parseTemplate(name, normalizeFormat(format));
  } catch {
    // As containers/common: when the escapes made the template invalid, try it as written.
    nodes = parseTemplate(name, format);
  }
  // A template with its own {{range .}} iterates over the list of items, as in skopeo.
  const dot = HAS_RANGE.test(format) ? goSlice([data]) : data;
  return executeTemplate(name, nodes, dot);
}
