// The per-call context: everything a transport may need from the caller's environment.
// Transports read configuration only from here; `env` stands in for process.env so tests and
// embedders stay in control (no globals deep inside a transport).
import type { Platform } from './types.js';

export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'identity-token'; token: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'anonymous' };

export interface ProgressEvent {
  kind: 'blob-start' | 'blob-progress' | 'blob-done' | 'blob-skipped' | 'manifest' | 'signatures' | 'message';
  /** Blob digest for blob events. */
  digest?: string;
  isConfig?: boolean;
  /** Total size in bytes when known, else -1. */
  size?: number;
  /** Bytes transferred so far (blob-progress, blob-done). */
  bytes?: number;
  /** Why a blob was skipped, e.g. "already exists". */
  reason?: string;
  message?: string;
  /** Instance being copied, for manifest lists: 1-based position and total. */
  instance?: { index: number; total: number; digest: string };
}

export type ProgressSink = (event: ProgressEvent) => void;

export interface TlsOptions {
  /** false skips certificate verification (and allows plain http for registries). */
  verify?: boolean;
  /** Directory with *.crt CAs and *.cert/*.key client pairs (skopeo's --cert-dir). */
  certDir?: string;
}

export interface Context {
  /** Stops any operation that takes it; nothing partial is left behind. */
  signal?: AbortSignal;
  /** Where transports may create temporary files (default: os.tmpdir()). */
  tmpDir?: string;
  /** Environment used for defaults (DOCKER_HOST, REGISTRY_AUTH_FILE, ...). Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory used for defaults. Default: os.homedir(). */
  homeDir?: string;
  credentials?: Credentials;
  /** Skip credentials entirely (skopeo's --no-creds). */
  noCredentials?: boolean;
  authFile?: string;
  tls?: TlsOptions;
  registriesConf?: string;
  registriesDir?: string;
  userAgent?: string;
  /** Docker engine host (unix://, tcp://, http://, ssh://). */
  daemonHost?: string;
  /** OCI: a blob directory shared between layouts (--src/--dest-shared-blob-dir). */
  ociSharedBlobDir?: string;
  /** OCI destinations: accept uncompressed layers instead of compressing them. */
  ociAcceptUncompressedLayers?: boolean;
  /** docker-archive destinations: extra names for the image (skopeo's --additional-tag). */
  dockerArchiveAdditionalTags?: readonly string[];
  /** Platform to choose from manifest lists instead of the running one. */
  platform?: Partial<Platform>;
  /** Retries of whole operations on network errors and 5xx. */
  retry?: { times: number; delayMs?: number };
  progress?: ProgressSink;
  /** Debug logging; never receives secrets. */
  debug?: (message: string) => void;
  /**
   * Options for one transport, keyed by transport name (e.g. `{ 'containers-storage': {...} }`),
   * for third-party transports whose settings core does not know.
   */
  transportOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Reads an environment variable from the context, falling back to process.env. */
export function contextEnv(ctx: Context | undefined, name: string): string | undefined {
  const env = ctx?.env ?? process.env;
  return env[name];
}
