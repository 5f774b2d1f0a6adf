// docker-registry in each flavour the tests need, and the helpers around it.
export {
  type CertDirOptions,
  makeTestCertificates,
  type TestCertificates,
  writeCertDir,
} from './certificates.js';
export {
  type FaultProxy,
  type FaultRule,
  drainRequest,
  type LoggedRequest,
  type OriginServer,
  type ProxyExchange,
  startFaultProxy,
  startOriginServer,
} from './fault-proxy.js';
export {
  DEFAULT_HTPASSWD_USERS,
  HTPASSWD_REALM,
  type HtpasswdRegistry,
  type HtpasswdRegistryOptions,
  htpasswdConfig,
  startHtpasswdRegistry,
  writeHtpasswd,
} from './htpasswd.js';
export {
  FAULT_KINDS,
  type FaultKind,
  type InjectedFault,
  type SeededFaultOptions,
  type SeededFaults,
  seededFaults,
} from './seeded-faults.js';
export { startMtlsRegistry, startTlsRegistry, type TlsRegistry } from './tls.js';
export {
  DEFAULT_TOKEN_USER,
  startTokenRegistry,
  startTokenServer,
  type TokenAccess,
  type TokenRegistry,
  type TokenRegistryOptions,
  type TokenRequestLog,
  type TokenServer,
  type TokenUser,
} from './token-server.js';
