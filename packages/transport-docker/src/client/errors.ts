// Registry answers and network failures as skopeo-ts errors. The distribution API reports errors
// as `{"errors": [{"code", "message", "detail"}]}`; the status code decides when the body is
// missing or unknown. Messages name the registry and the operation, never a credential.
import { type ErrorCode, isSkopeoError, SkopeoError } from '@skopeo-ts/core';

export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/** An error answer of a registry, with the status and the parsed error codes. */
export class RegistryHttpError extends SkopeoError {
  readonly status: number;
  readonly registryErrors: readonly RegistryErrorEntry[];
  constructor(
    code: ErrorCode,
    message: string,
    status: number,
    registryErrors: readonly RegistryErrorEntry[],
    hint?: string,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
    this.name = 'RegistryHttpError';
    this.status = status;
    this.registryErrors = registryErrors;
  }
}

const NOT_FOUND_CODES = new Set(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UNKNOWN', 'BLOB_UPLOAD_UNKNOWN']);
const CODE_MAP: Readonly<Record<string, ErrorCode>> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  DENIED: 'DENIED',
  UNSUPPORTED: 'UNSUPPORTED',
  MANIFEST_INVALID: 'INVALID_MANIFEST',
  MANIFEST_UNVERIFIED: 'INVALID_MANIFEST',
  MANIFEST_BLOB_UNKNOWN: 'INVALID_MANIFEST',
  DIGEST_INVALID: 'DIGEST_MISMATCH',
  SIZE_INVALID: 'SIZE_MISMATCH',
  NAME_INVALID: 'INVALID_REFERENCE',
  TAG_INVALID: 'INVALID_REFERENCE',
  BLOB_UPLOAD_INVALID: 'IO',
  TOOMANYREQUESTS: 'IO',
};

/** Parses a distribution error body; anything else gives no entries. */
export function parseRegistryErrors(body: Uint8Array): RegistryErrorEntry[] {
  if (body.length === 0) return [];
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return [];
  }
  const errors = (json as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorEntry[] = [];
  for (const entry of errors) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { code, message } = entry as { code?: unknown; message?: unknown };
    out.push({
      code: typeof code === 'string' ? code.toUpperCase() : 'UNKNOWN',
      message: typeof message === 'string' ? message : '',
    });
  }
  return out;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'bad request',
  401: 'authentication required',
  403: 'access denied',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict',
  416: 'requested range not satisfiable',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

function errorCodeFor(status: number, entries: readonly RegistryErrorEntry[]): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404 || entries.some((e) => NOT_FOUND_CODES.has(e.code))) return 'NOT_FOUND';
  for (const entry of entries) {
    const mapped = CODE_MAP[entry.code];
    if (mapped !== undefined) return mapped;
  }
  if (status === 405) return 'UNSUPPORTED';
  if (status === 409) return 'CONFLICT';
  return 'IO';
}

/** Text that may hold a secret (a password echoed by a broken server) is cut out. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 1) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * The error for a registry answer with `status` and error `body`. `what` says what was being done
 * ("reading manifest latest in 127.0.0.1:5000/app"), `registry` names the registry for auth errors.
 */
export function registryError(
  status: number,
  body: Uint8Array,
  what: string,
  registry: string,
  secrets: readonly string[] = [],
): RegistryHttpError {
  const entries = parseRegistryErrors(body);
  const code = errorCodeFor(status, entries);
  let detail = entries
    .map((e) => (e.message === '' ? e.code.toLowerCase() : `${e.code.toLowerCase()}: ${e.message}`))
    .join('; ');
  if (detail === '') {
    const text = Buffer.from(body).toString('utf8').trim();
    const short = text.length > 200 || /[<{]/.test(text.slice(0, 1)) ? '' : text;
    detail = short === '' ? (STATUS_TEXT[status] ?? 'unexpected answer') : short;
  }
  let message = `${what}: ${detail} (HTTP ${status})`;
  let hint: string | undefined;
  if (code === 'UNAUTHORIZED') {
    message = `${what}: authentication to ${registry} failed: ${detail} (HTTP ${status})`;
    hint = `check the credentials for ${registry} (--creds, --authfile, or log in first)`;
  } else if (code === 'DENIED') {
    hint = `the credentials used for ${registry} are not allowed to do this`;
  }
  return new RegistryHttpError(code, redact(message, secrets), status, entries, hint);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== error) return errorCodeOf(cause);
  return undefined;
}

/** Whether `error` is a failure of the connection (worth a retry), not an answer or an abort. */
export function isNetworkError(error: unknown): boolean {
  if (isSkopeoError(error)) return false;
  if (isAbortError(error)) return false;
  const code = errorCodeOf(error);
  if (
    code !== undefined &&
    (NETWORK_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))
  )
    return true;
  return error instanceof Error && /socket|other side closed|ECONNRESET|terminated/i.test(error.message);
}

export function isAbortError(error: unknown): boolean {
  if (isSkopeoError(error, 'ABORTED')) return true;
  const name = (error as { name?: unknown } | null)?.name;
  const code = (error as { code?: unknown } | null)?.code;
  return name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR';
}

function describeCause(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((e) => describeCause(e)).join('; ');
  }
  if (error instanceof Error) {
    const code = errorCodeOf(error);
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
      return 'the server does not speak TLS there (a plain-http registry needs --tls-verify=false or an insecure entry in registries.conf)';
    }
    // OpenSSL's "error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:" → the reason.
    const openssl = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(error.message);
    const text = openssl?.[1] !== undefined ? `TLS error: ${openssl[1]}` : error.message;
    const message = text === '' && code !== undefined ? code : text;
    return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}

/** A failure to talk to `host` at all: IO, naming the host. */
export function networkError(
  what: string,
  host: string,
  error: unknown,
  secrets: readonly string[] = [],
): SkopeoError {
  const detail = redact(describeCause(error), secrets);
  const tls = /certificate|self[- ]signed|SSL|TLS/i.test(detail);
  return new SkopeoError('IO', `${what}: cannot talk to ${host}: ${detail}`, {
    cause: error,
    ...(tls
      ? { hint: `trust the registry's CA (certs.d, --cert-dir) or use --tls-verify=false for ${host}` }
      : {}),
  });
}
