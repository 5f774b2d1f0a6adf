// The registry client: settings interfaces, auth, retries, errors.
export * from './settings.js';
export { type AuthScope, CATALOG_SCOPE, parseScope, pullScope, pushScope, scopeText } from './auth.js';
export { type Challenge, parseChallenges } from './challenge.js';
export {
  apiHost,
  DOCKER_HUB_API_HOST,
  RegistryClient,
  type RegistryClientOptions,
  type RegistryRequest,
} from './client.js';
export { RegistryHttpError, type RegistryErrorEntry } from './errors.js';
export type { HttpMethod, HttpResponse } from './http.js';
export { MAX_ERROR_BODY_BYTES, MAX_MANIFEST_BYTES, MAX_TOKEN_RESPONSE_BYTES } from './limits.js';
export {
  RATE_LIMIT_INITIAL_DELAY_MS,
  RATE_LIMIT_MAX_DELAY_MS,
  RATE_LIMIT_RETRIES,
  retryAfterMs,
} from './retry.js';
