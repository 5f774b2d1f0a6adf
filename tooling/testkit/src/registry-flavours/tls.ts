// docker-registry over TLS with a CA the test makes, optionally requiring a client certificate
// signed by a separate client CA (`http.tls.clientcas`).
import { join } from 'node:path';
import { mergeRegistryConfig, type RegistryOptions, type RunningRegistry } from '../registry.js';
import {
  type CertDirOptions,
  makeTestCertificates,
  type TestCertificates,
  writeCertDir,
} from './certificates.js';
import { type Cleanup, helperDir, runCleanups, startWithHelpers } from './flavoured.js';

export interface TlsRegistry extends RunningRegistry {
  readonly certificates: TestCertificates;
  /** PEM of the CA that signed the server certificate. */
  readonly ca: string;
  /** Whether the registry requires a client certificate. */
  readonly mutualTls: boolean;
  /**
   * Writes a new certs.d-style directory for `--cert-dir` (default: `ca.crt` and the client pair);
   * removed by stop().
   */
  makeCertDir(options?: CertDirOptions): Promise<string>;
}

async function startTls(options: RegistryOptions, mutualTls: boolean): Promise<TlsRegistry> {
  const cleanups: Cleanup[] = [];
  try {
    const dir = await helperDir('skopeo-ts-registry-tls', cleanups);
    const certificates = await makeTestCertificates(join(dir.path, 'pki'));
    const tls = {
      certificate: certificates.serverCertPath,
      key: certificates.serverKeyPath,
      ...(mutualTls ? { clientcas: [certificates.clientCaPath] } : {}),
    };
    let certDirs = 0;
    return await startWithHelpers(
      {
        ...options,
        config: mergeRegistryConfig({ http: { tls } }, options.config ?? {}),
        ...(mutualTls
          ? { probeClientCertificate: { cert: certificates.clientCertPem, key: certificates.clientKeyPem } }
          : {}),
      },
      cleanups,
      {
        certificates,
        ca: certificates.caPem,
        mutualTls,
        makeCertDir: (certOptions?: CertDirOptions) =>
          writeCertDir(join(dir.path, `cert-dir-${++certDirs}`), certificates, certOptions),
      },
    );
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

/** docker-registry on https://127.0.0.1:PORT, its certificate signed by a fresh test CA. */
export function startTlsRegistry(options: RegistryOptions = {}): Promise<TlsRegistry> {
  return startTls(options, false);
}

/** As startTlsRegistry, and the registry refuses clients without a certificate of the client CA. */
export function startMtlsRegistry(options: RegistryOptions = {}): Promise<TlsRegistry> {
  return startTls(options, true);
}
