// The file to import() for a package, from its package.json alone: `exports` "." with the import
// (else node, else default) condition, else `main`, else index.js — what Node would pick for an
// ESM import of the bare package name.
import { join } from 'node:path';
import { SkopeoError } from '@skopeo-ts/core';
import type { PackageInfo } from './package-json.js';

const CONDITIONS = ['import', 'node', 'default'];

function pickTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = pickTarget(item);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const condition of CONDITIONS) {
    if (Object.hasOwn(record, condition)) {
      const target = pickTarget(record[condition]);
      if (target !== undefined) return target;
    }
  }
  return undefined;
}

/** The main export (`"."`) of an `exports` field, which may be a string, conditions or subpaths. */
function mainExport(exports: unknown): unknown {
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) return exports;
  const record = exports as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some((key) => key.startsWith('.'))) return record['.'];
  return record;
}

/** Absolute path of the module to import for the package. */
export function packageEntryPoint(info: PackageInfo): string {
  const { exports, main } = info.json;
  if (exports !== undefined) {
    const target = pickTarget(mainExport(exports));
    if (target === undefined || !target.startsWith('./')) {
      throw new SkopeoError(
        'INVALID_PLUGIN',
        `${info.name} (${info.dir}) has no importable "." export in its package.json "exports"`,
        {
          hint: 'a transport package must export its plugin from "." with an "import" or "default" condition',
        },
      );
    }
    return join(info.dir, target);
  }
  return join(info.dir, typeof main === 'string' && main !== '' ? main : 'index.js');
}
