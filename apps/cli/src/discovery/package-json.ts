// A plugin package's package.json, read before anything is imported: its name, version and the
// `"skopeo-ts": { "apiVersion": 1, "transports": [...] }` declaration.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SkopeoError } from '@skopeo-ts/core';

export type JsonRecord = { readonly [key: string]: unknown };

export interface PluginDeclaration {
  apiVersion: number;
  transports: string[];
}

export interface PackageInfo {
  name: string;
  version: string;
  /** The directory holding package.json. */
  dir: string;
  json: JsonRecord;
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `dir/package.json`; undefined when there is none. Throws when it is not valid JSON. */
export async function readPackageInfo(dir: string): Promise<PackageInfo | undefined> {
  const path = join(dir, 'package.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SkopeoError('INVALID_PLUGIN', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  return packageInfoFromJson(json, dir, path);
}

/** Validates the parts of a package.json the CLI needs; `where` names it in errors. */
export function packageInfoFromJson(json: unknown, dir: string, where: string): PackageInfo {
  if (!isRecord(json)) throw new SkopeoError('INVALID_PLUGIN', `${where} is not a JSON object`);
  const name = json.name;
  if (typeof name !== 'string' || name === '') {
    throw new SkopeoError('INVALID_PLUGIN', `${where} has no "name"`);
  }
  return { name, version: typeof json.version === 'string' ? json.version : '', dir, json };
}

/**
 * The package's `skopeo-ts` declaration; undefined when the field is absent (not a plugin).
 * Throws INVALID_PLUGIN when the field is there but malformed.
 */
export function pluginDeclarationOf(info: PackageInfo): PluginDeclaration | undefined {
  const field = info.json['skopeo-ts'];
  if (field === undefined) return undefined;
  const where = `the "skopeo-ts" field of ${info.name}'s package.json (${info.dir})`;
  const example = '{ "apiVersion": 1, "transports": ["name"] }';
  if (!isRecord(field)) {
    throw new SkopeoError('INVALID_PLUGIN', `${where} must be an object like ${example}`);
  }
  const { apiVersion, transports } = field;
  if (typeof apiVersion !== 'number' || !Number.isInteger(apiVersion)) {
    throw new SkopeoError('INVALID_PLUGIN', `${where} needs an integer "apiVersion", as in ${example}`);
  }
  if (
    !Array.isArray(transports) ||
    transports.length === 0 ||
    !transports.every((name) => typeof name === 'string' && name !== '')
  ) {
    throw new SkopeoError('INVALID_PLUGIN', `${where} needs a non-empty "transports" list, as in ${example}`);
  }
  return { apiVersion, transports: transports as string[] };
}
