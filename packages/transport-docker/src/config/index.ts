// Configuration files of the docker:// transport: auth files and credential helpers, certs.d,
// registries.conf and proxies. Every reader takes its environment (env map, home directory) from
// a ConfigEnvironment built once from the Context; nothing below reads process.env itself.
export {
  type ConfigEnvironment,
  configEnvironment,
  type EnvMap,
} from './environment.js';
export { type AtomicWriteOptions, writeFileAtomic } from './atomic-write.js';
export {
  CREDENTIAL_HELPER_PREFIX,
  CredentialHelperError,
  type HelperCredentials,
  helperErase,
  helperGet,
  helperList,
  helperProgram,
  helperStore,
} from './credential-helper.js';
export {
  AUTH_FILE_HELPER,
  type AuthFileCandidate,
  type AuthFileCandidatesOptions,
  type AuthFileContents,
  authFileCandidates,
  authKeyLookupOrder,
  credentialsFromAuthFile,
  credsStoreServerURL,
  type EditOptions,
  explicitAuthFile,
  type LookupCredentialsOptions,
  lookupCredentials,
  normalizeAuthKey,
  parseAuthFile,
  primaryAuthFile,
  readAuthFile,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
  validateCredentialsKey,
} from './auth-file.js';
export {
  type CertsDirContents,
  type ClientCertificatePair,
  certificatesIn,
  certsDirCandidates,
  findCertsDir,
  loadCertsDir,
  type RegistryTlsOptions,
  type RegistryTlsOptionsInput,
  registryTlsOptions,
} from './certs-dir.js';
export {
  assertNotBlocked,
  DEFAULT_CREDENTIAL_HELPERS,
  dropInFiles,
  emptyRegistriesConf,
  findRegistry,
  type LoadRegistriesConfOptions,
  loadRegistriesConf,
  type MirrorEndpoint,
  mergeRegistriesConf,
  type PullFromMirror,
  type PullSource,
  parseRegistriesConf,
  pullSources,
  type RegistriesConf,
  type RegistriesConfFile,
  type RegistriesConfSearch,
  type RegistryEntry,
  refMatchingPrefix,
  registriesConfSearch,
  type ShortNameMode,
} from './registries-conf.js';
export {
  parseNoProxy,
  parseProxyUrl,
  type ProxyEnvironment,
  proxyEnvironment,
  proxyForUrl,
  useProxy,
} from './proxy.js';
export {
  type ConfigFileSettingsOptions,
  configFileSettings,
  createConfigFileSettings,
} from './registry-settings.js';
