// The text after `containers-storage:`, parsed as containers/image does, without any I/O:
// `[DRIVER@GRAPHROOT+RUNROOT:OPT,OPT]` (each part optional), then `NAME[:TAG][@DIGEST]`,
// `NAME@ID`, `@ID`, a bare 64-hex ID, or 3–63 hex characters that may be an ID prefix (decided
// when the store is opened: an image whose ID starts with them wins, as in containers/image).
import {
  type DockerReference,
  InvalidReferenceError,
  isSkopeoError,
  parseDockerReference,
  withDefaultTag,
} from '@skopeo-ts/core';

export interface StoreSpec {
  driver: string | undefined;
  graphRoot: string | undefined;
  runRoot: string | undefined;
  /** Driver options, e.g. `overlay.mount_program=/usr/bin/fuse-overlayfs`. */
  options: string[];
}

export interface ParsedStorageReference {
  /** The bracketed store, or undefined for the default store. */
  store: StoreSpec | undefined;
  /** The normalized name (`:latest` added when it has neither tag nor digest). */
  name: DockerReference | undefined;
  /** A full image ID. */
  id: string | undefined;
  /** Hex that is an ID prefix if an image has such an ID, else the name it also parses as. */
  idPrefix: string | undefined;
}

const FULL_ID = /^[0-9a-f]{64}$/;
const ID_PREFIX = /^[0-9a-f]{3,63}$/;

function parseStoreSpec(spec: string, input: string): StoreSpec {
  let rest = spec;
  let options: string[] = [];
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    options = rest
      .slice(colon + 1)
      .split(',')
      .filter((option) => option !== '');
    rest = rest.slice(0, colon);
  }
  let driver: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    driver = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (driver === '') throw new InvalidReferenceError(input, 'the store names an empty driver before "@"');
  }
  let runRoot: string | undefined;
  const plus = rest.indexOf('+');
  if (plus !== -1) {
    runRoot = rest.slice(plus + 1);
    rest = rest.slice(0, plus);
  }
  const graphRoot = rest === '' ? undefined : rest;
  for (const [what, path] of [
    ['graph root', graphRoot],
    ['run root', runRoot],
  ] as const) {
    if (path !== undefined && !path.startsWith('/')) {
      throw new InvalidReferenceError(input, `the store's ${what} "${path}" is not an absolute path`);
    }
  }
  for (const option of options) {
    if (!/^[a-z_]+\.[A-Za-z0-9_.]+=/.test(option)) {
      throw new InvalidReferenceError(
        input,
        `store option "${option}" is not of the form driver.option=value`,
      );
    }
  }
  return { driver, graphRoot, runRoot, options };
}

function parseName(text: string, input: string): DockerReference {
  try {
    return withDefaultTag(parseDockerReference(text));
  } catch (error) {
    if (isSkopeoError(error, 'INVALID_REFERENCE')) {
      throw new InvalidReferenceError(
        input,
        `"${text}" is not an image name, image ID or ID prefix: ${error.message}`,
      );
    }
    throw error;
  }
}

export function parseStorageReferenceText(input: string): ParsedStorageReference {
  let rest = input;
  let store: StoreSpec | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) throw new InvalidReferenceError(input, 'the store specification has no closing "]"');
    store = parseStoreSpec(rest.slice(1, close), input);
    rest = rest.slice(close + 1);
  }
  if (rest === '') throw new InvalidReferenceError(input, 'no image name or ID is given');
  if (FULL_ID.test(rest)) return { store, name: undefined, id: rest, idPrefix: undefined };
  // `NAME@ID` / `@ID`: an ID after the last "@" (a digest has "algo:" instead).
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const after = rest.slice(at + 1);
    if (FULL_ID.test(after)) {
      const before = rest.slice(0, at);
      return {
        store,
        name: before === '' ? undefined : parseName(before, input),
        id: after,
        idPrefix: undefined,
      };
    }
    if (!after.includes(':')) {
      throw new InvalidReferenceError(
        input,
        `"${after}" after "@" is neither a digest nor a 64-character image ID`,
      );
    }
  }
  const name = parseName(rest, input);
  return { store, name, id: undefined, idPrefix: ID_PREFIX.test(rest) ? rest : undefined };
}

export function formatStoreSpec(store: StoreSpec): string {
  const driver = store.driver === undefined ? '' : `${store.driver}@`;
  const runRoot = store.runRoot === undefined ? '' : `+${store.runRoot}`;
  const options = store.options.length === 0 ? '' : `:${store.options.join(',')}`;
  return `[${driver}${store.graphRoot ?? ''}${runRoot}${options}]`;
}

export function formatReferenceText(parsed: ParsedStorageReference): string {
  const store = parsed.store === undefined ? '' : formatStoreSpec(parsed.store);
  if (parsed.idPrefix !== undefined) return `${store}${parsed.idPrefix}`;
  const name = parsed.name?.toString() ?? '';
  const id = parsed.id === undefined ? '' : `@${parsed.id}`;
  return `${store}${name}${id}`;
}
