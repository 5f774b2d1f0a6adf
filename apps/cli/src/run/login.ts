// `skopeo-ts login REGISTRY` and `skopeo-ts logout REGISTRY|--all`, with skopeo's (containers/
// common's) checks and messages. The work is the docker transport's login/logout capabilities;
// passwords are never printed.
import { type Context, SkopeoError, type Transport, UnsupportedError } from '@skopeo-ts/core';
import type { App } from '../app.js';
import { buildContext } from '../options/context.js';
import { readImageFlags } from '../options/image-flags.js';

function invalid(message: string, hint?: string): SkopeoError {
  return new SkopeoError('INVALID_ARGUMENT', message, hint === undefined ? {} : { hint });
}

/** What messages call the registry: a URL argument stands for its host, as containers/common keys it. */
export function credentialsKeyText(registry: string): string {
  const url = /^https?:\/\//.exec(registry);
  if (url === null) return registry.replace(/\/+$/, '');
  const rest = registry.slice(url[0].length);
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

/** The context of login/logout: --authfile, --cert-dir and --tls-verify only. */
function loginContext(app: App, opts: Readonly<Record<string, unknown>>): Context {
  const flags = readImageFlags(opts, '', app.io.env);
  return buildContext(app, {
    ...flags,
    creds: undefined,
    noCreds: false,
    username: undefined,
    password: undefined,
    registryToken: undefined,
  });
}

async function dockerTransport(app: App, registry: string): Promise<Transport> {
  return (await app.registry()).transport('docker', `docker://${registry}`);
}

function missingCapability(what: string): UnsupportedError {
  return new UnsupportedError(`the docker transport installed does not support ${what}`, {
    hint: 'upgrade @skopeo-ts/transport-docker',
  });
}

async function readStdin(app: App): Promise<string> {
  const stdin = app.io.stdin ?? process.stdin;
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runLogin(
  app: App,
  registry: string,
  opts: Readonly<Record<string, unknown>>,
): Promise<void> {
  const ctx = loginContext(app, opts);
  const key = credentialsKeyText(registry);
  const transport = await dockerTransport(app, registry);
  if (opts.getLogin === true) {
    if (transport.getLogin === undefined) throw missingCapability('login --get-login');
    const username = await transport.getLogin(registry, ctx);
    if (username === undefined) throw invalid(`not logged into ${key}`);
    app.io.stdout.write(`${username}\n`);
    return;
  }
  if (transport.login === undefined) throw missingCapability('login');
  const username = typeof opts.username === 'string' ? opts.username : undefined;
  let password = typeof opts.password === 'string' ? opts.password : undefined;
  if (opts.passwordStdin === true) {
    if (password !== undefined) throw invalid("Can't specify both --password-stdin and --password");
    if (username === undefined) throw invalid('Must provide --username with --password-stdin');
    password = (await readStdin(app)).replace(/\r?\n$/, '');
  }
  if (username === undefined || username === '' || password === undefined || password === '') {
    throw invalid(
      `getting username and password for ${key}: both are needed`,
      'give -u/--username with -p/--password or --password-stdin',
    );
  }
  await transport.login(registry, { username, password }, ctx);
  app.io.stdout.write('Login Succeeded!\n');
}

export async function runLogout(
  app: App,
  registry: string | undefined,
  opts: Readonly<Record<string, unknown>>,
): Promise<void> {
  const all = opts.all === true;
  if (all && registry !== undefined) throw invalid('--all takes no arguments');
  if (!all && registry === undefined) throw invalid('please provide a registry to logout from');
  const ctx = loginContext(app, opts);
  const transport = await dockerTransport(app, registry ?? 'localhost');
  if (transport.logout === undefined) throw missingCapability('logout');
  const result = await transport.logout(registry, ctx, { all });
  if (all) {
    app.io.stdout.write('Removed login credentials for all registries\n');
    return;
  }
  const key = credentialsKeyText(registry ?? '');
  if (result.removed) {
    app.io.stdout.write(`Removed login credentials for ${key}\n`);
    return;
  }
  // Credentials in another auth file (Docker's config.json) are not ours to remove.
  const elsewhere = registry === undefined ? undefined : await transport.getLogin?.(registry, ctx);
  if (elsewhere !== undefined) {
    app.io.stdout.write(
      `Not logged into ${key} with current tool. Existing credentials were established via docker login. Please use docker logout instead.\n`,
    );
    return;
  }
  throw invalid(`not logged into ${key}`);
}
