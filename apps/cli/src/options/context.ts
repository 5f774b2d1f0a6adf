// The core Context for one image, from the global and per-image flags, the way skopeo's
// newSystemContext fills types.SystemContext (including its checks of conflicting flags).
import type { Context, Credentials } from '@skopeo-ts/core';
import { SkopeoError } from '@skopeo-ts/core';
import type { App } from '../app.js';
import type { ImageFlags } from './image-flags.js';

function usage(message: string): SkopeoError {
  return new SkopeoError('INVALID_REFERENCE', message);
}

/** --creds USER[:PASS] (skopeo's parseCreds). */
export function parseCreds(creds: string): { username: string; password: string } {
  if (creds === '') throw usage("credentials can't be empty");
  const colon = creds.indexOf(':');
  const username = colon < 0 ? creds : creds.slice(0, colon);
  const password = colon < 0 ? '' : creds.slice(colon + 1);
  if (username === '') throw usage("username can't be empty");
  return { username, password };
}

function credentialsFrom(flags: ImageFlags): Credentials | undefined {
  if (flags.creds !== undefined && flags.noCreds)
    throw usage('creds and no-creds cannot be specified at the same time');
  if (flags.username !== undefined && flags.noCreds) {
    throw usage('username and no-creds cannot be specified at the same time');
  }
  if (flags.creds !== undefined && flags.username !== undefined) {
    throw usage('creds and username cannot be specified at the same time');
  }
  if ((flags.username === undefined) !== (flags.password === undefined)) {
    throw usage(
      flags.username !== undefined
        ? 'password must be specified when username is specified'
        : 'username must be specified when password is specified',
    );
  }
  if (flags.registryToken !== undefined) return { kind: 'bearer', token: flags.registryToken };
  if (flags.creds !== undefined) return { kind: 'basic', ...parseCreds(flags.creds) };
  if (flags.username !== undefined) {
    return { kind: 'basic', username: flags.username, password: flags.password ?? '' };
  }
  return undefined;
}

export interface ContextExtras {
  /** Options for the destination's transport (e.g. dir's compress/decompress). */
  transportOptions?: Context['transportOptions'];
  ociAcceptUncompressedLayers?: boolean;
  /** --additional-tag: more names for a docker-archive destination. */
  dockerArchiveAdditionalTags?: readonly string[];
}

export function buildContext(app: App, flags: ImageFlags, extras: ContextExtras = {}): Context {
  const { globals, io } = app;
  const ctx: Context = {
    signal: app.signal,
    env: io.env,
    homeDir: io.homeDir,
    userAgent: `${globals.userAgentPrefix ? `${globals.userAgentPrefix} ` : ''}skopeo-ts/${app.version}`,
  };
  const credentials = credentialsFrom(flags);
  if (credentials !== undefined) ctx.credentials = credentials;
  if (flags.noCreds) ctx.noCredentials = true;
  if (flags.authFile !== undefined && flags.authFile !== '') ctx.authFile = flags.authFile;
  if (flags.tlsVerify !== undefined || flags.certDir !== undefined) {
    ctx.tls = {
      ...(flags.tlsVerify === undefined ? {} : { verify: flags.tlsVerify }),
      ...(flags.certDir === undefined ? {} : { certDir: flags.certDir }),
    };
  }
  if (flags.daemonHost !== undefined) ctx.daemonHost = flags.daemonHost;
  if (flags.sharedBlobDir !== undefined) ctx.ociSharedBlobDir = flags.sharedBlobDir;
  if (globals.tmpdir !== undefined) ctx.tmpDir = globals.tmpdir;
  if (globals.registriesConf !== undefined) ctx.registriesConf = globals.registriesConf;
  if (globals.registriesDir !== undefined) ctx.registriesDir = globals.registriesDir;
  const platform = app.platformOverrides();
  if (Object.keys(platform).length > 0) ctx.platform = platform;
  if (app.debug) ctx.debug = app.debug;
  if (extras.ociAcceptUncompressedLayers) ctx.ociAcceptUncompressedLayers = true;
  if (extras.transportOptions) ctx.transportOptions = extras.transportOptions;
  if (extras.dockerArchiveAdditionalTags)
    ctx.dockerArchiveAdditionalTags = extras.dockerArchiveAdditionalTags;
  return ctx;
}
