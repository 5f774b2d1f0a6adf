// Unit tests of the Go output emulation: encoding/json, time formatting, text/template.
import { describe, expect, it } from 'vitest';
import { marshalGoJson } from '../src/go/json.js';
import { isJsonFormat, renderFormat } from '../src/go/report-format.js';
import { formatGoTimeString, formatRFC3339Nano, parseGoTime } from '../src/go/time.js';
import {
  goInt,
  goSlice,
  goString,
  goStringMap,
  goStringSlice,
  goStruct,
  goTime,
  type GoValue,
} from '../src/go/value.js';

const sample: GoValue = goStruct('inspect.Output', [
  { name: 'Name', json: 'Name', omitEmpty: true, value: goString('') },
  { name: 'Digest', json: 'Digest', value: goString('sha256:abc') },
  { name: 'RepoTags', json: 'RepoTags', value: goStringSlice([]) },
  { name: 'Created', json: 'Created', value: goTime(parseGoTime('2024-01-02T03:04:05.500Z')) },
  { name: 'Labels', json: 'Labels', value: goStringMap({ b: '2', a: '<&>' }) },
  { name: 'Env', json: 'Env', value: goStringSlice(undefined) },
  {
    name: 'LayersData',
    json: 'LayersData',
    value: goSlice([
      goStruct('types.ImageInspectLayer', [
        { name: 'Size', json: 'Size', value: goInt(12) },
        { name: 'Annotations', json: 'Annotations', value: goStringMap(undefined) },
      ]),
    ]),
  },
]);

describe('Go JSON', () => {
  it('writes json.MarshalIndent output: order, omitempty, nil as null, sorted maps, HTML escapes', () => {
    expect(marshalGoJson(sample, { indent: '    ', escapeHTML: true })).toBe(
      [
        '{',
        '    "Digest": "sha256:abc",',
        '    "RepoTags": [],',
        '    "Created": "2024-01-02T03:04:05.5Z",',
        '    "Labels": {',
        '        "a": "\\u003c\\u0026\\u003e",',
        '        "b": "2"',
        '    },',
        '    "Env": null,',
        '    "LayersData": [',
        '        {',
        '            "Size": 12,',
        '            "Annotations": null',
        '        }',
        '    ]',
        '}',
      ].join('\n'),
    );
  });

  it('writes compact JSON without HTML escaping for the template json function', () => {
    expect(marshalGoJson(goStringMap({ k: 'a<b\u2028\u0001"' }), { escapeHTML: false })).toBe(
      '{"k":"a<b\\u2028\\u0001\\""}',
    );
  });
});

describe('Go time', () => {
  it('keeps offsets and nanoseconds, trims trailing zeros, writes UTC as Z', () => {
    expect(formatRFC3339Nano(parseGoTime('2023-05-06T07:08:09.123450+02:00'))).toBe(
      '2023-05-06T07:08:09.12345+02:00',
    );
    expect(formatRFC3339Nano(parseGoTime('2023-05-06T07:08:09.000Z'))).toBe('2023-05-06T07:08:09Z');
    expect(formatRFC3339Nano(parseGoTime('2023-05-06T07:08:09.1234567891-00:00'))).toBe(
      '2023-05-06T07:08:09.123456789Z',
    );
    expect(formatGoTimeString(parseGoTime('2024-01-01T00:00:00Z'))).toBe('2024-01-01 00:00:00 +0000 UTC');
    expect(formatGoTimeString(parseGoTime('2023-05-06T07:08:09.12345+02:00'))).toBe(
      '2023-05-06 07:08:09.12345 +0200 +0200',
    );
  });

  it('refuses what Go refuses', () => {
    for (const bad of ['2023-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2023-01-01 00:00:00Z', 'yesterday']) {
      expect(() => parseGoTime(bad), bad).toThrow();
    }
  });
});

describe('Go templates', () => {
  const render = (format: string) => renderFormat(format, sample, 'skopeo inspect');

  it('prints fields with fmt %v rules and ends with a newline', () => {
    expect(render('{{.Digest}}')).toBe('sha256:abc\n');
    expect(render('{{.Labels}} {{.RepoTags}} {{.Env}}')).toBe('map[a:<&> b:2] [] []\n');
    expect(render('{{.Created}}')).toBe('2024-01-02 03:04:05.5 +0000 UTC\n');
    expect(render('{{.LayersData}}')).toBe('[{12 map[]}]\n');
    expect(render('{{.Labels.a}}|{{.Labels.zz}}')).toBe('<&>|<no value>\n');
  });

  it('turns \\n and \\t escapes into characters and does not add a second newline', () => {
    expect(render('{{.Digest}}\\t{{.Labels.b}}\\n')).toBe('sha256:abc\t2\n');
  });

  it('runs functions, pipes, range, if/else and variables', () => {
    expect(render('{{json .Labels}}')).toBe('{"a":"<&>","b":"2"}\n');
    expect(render('{{.Digest | upper}} {{lower "AB"}} {{len .Labels}}')).toBe('SHA256:ABC ab 2\n');
    expect(render('{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}')).toBe('a=<&>;b=2;\n');
    expect(render('{{range .RepoTags}}x{{else}}none{{end}}')).toBe('none\n');
    expect(render('{{if .Env}}env{{else if .Labels}}labels{{else}}nothing{{end}}')).toBe('labels\n');
    expect(render('{{with .Labels}}{{.b}}{{end}}')).toBe('2\n');
    expect(render('{{$d := .Digest}}{{printf "%s-%d" $d 7}}')).toBe('sha256:abc-7\n');
    expect(render('{{join (split "a,b" ",") "+"}} {{index .Labels "b"}}')).toBe('a+b 2\n');
    expect(render('{{- " trimmed " -}}   ')).toBe(' trimmed ');
    expect(render('{{range .}}{{.Digest}}{{end}}')).toBe('sha256:abc\n');
  });

  it('reports unknown fields and functions as Go does', () => {
    expect(() => render('{{.Nope}}')).toThrow("can't evaluate field Nope in type inspect.Output");
    expect(() => render('{{nope .Digest}}')).toThrow('function "nope" not defined');
    expect(() => render('{{if .Digest}}')).toThrow('without {{end}}');
  });

  it('recognises the JSON formats of containers/common', () => {
    for (const format of ['json', ' json ', '{{json .}}', '{{ json . }}', '{{json}}'])
      expect(isJsonFormat(format), format).toBe(true);
    for (const format of ['{{json .Labels}}', 'jsonx', '{{.Digest}}'])
      expect(isJsonFormat(format), format).toBe(false);
  });
});
