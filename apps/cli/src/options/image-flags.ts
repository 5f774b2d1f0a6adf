// skopeo's per-image flags (utils.go: imageFlags, imageDestFlags), with a prefix for copy
// (`--src-…`, `--dest-…`) and none for inspect and delete.
import { type Command, Option } from 'commander';

export type ImageFlagPrefix = '' | 'src-' | 'dest-';

export interface ImageFlags {
  authFile: string | undefined;
  creds: string | undefined;
  noCreds: boolean;
  username: string | undefined;
  password: string | undefined;
  registryToken: string | undefined;
  certDir: string | undefined;
  /** undefined: not given (the transport's default). */
  tlsVerify: boolean | undefined;
  sharedBlobDir: string | undefined;
  daemonHost: string | undefined;
}

export interface DestinationFlags {
  compress: boolean;
  decompress: boolean;
  ociAcceptUncompressedLayers: boolean;
  compressFormat: string | undefined;
  compressLevel: string | undefined;
  precomputeDigests: boolean;
  forceCompressFormat: boolean;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

export function addImageFlags(command: Command, prefix: ImageFlagPrefix): void {
  // copy also has a shared --authfile beside --src-authfile and --dest-authfile (declared by copy).
  command.option(
    `--${prefix}authfile <path>`,
    'path of the registry credentials file (default: REGISTRY_AUTH_FILE)',
  );
  if (prefix !== '') {
    // skopeo copy's old spellings of --src-creds and --dest-creds.
    command.addOption(new Option(`--${prefix === 'src-' ? 's' : 'd'}creds <username[:password]>`).hideHelp());
  }
  command
    .option(`--${prefix}creds <username[:password]>`, 'use USERNAME[:PASSWORD] for accessing the registry')
    .option(`--${prefix}username <username>`, 'username for accessing the registry')
    .option(`--${prefix}password <password>`, 'password for accessing the registry')
    .option(`--${prefix}registry-token <token>`, 'a Bearer token for accessing the registry')
    .option(
      `--${prefix}cert-dir <path>`,
      'use certificates at PATH (*.crt, *.cert, *.key) to connect to the registry or daemon',
    )
    .option(
      `--${prefix}tls-verify`,
      'require HTTPS and verify certificates when talking to the registry or daemon (--…=false to skip)',
    )
    .addOption(new Option(`--no-${prefix}tls-verify`).hideHelp())
    .option(`--${prefix}no-creds`, 'access the registry anonymously')
    .option(
      `--${prefix}shared-blob-dir <directory>`,
      'DIRECTORY to use to share blobs across OCI repositories',
    )
    .option(`--${prefix}daemon-host <host>`, 'use docker daemon host at HOST (docker-daemon: only)');
}

export function addDestinationFlags(command: Command): void {
  command
    .option(
      '--dest-compress',
      "compress tarball image layers when saving to directory using the 'dir' transport",
    )
    .option(
      '--dest-decompress',
      "decompress tarball image layers when saving to directory using the 'dir' transport",
    )
    .option(
      '--dest-oci-accept-uncompressed-layers',
      "allow uncompressed image layers when saving to an OCI image using the 'oci' transport",
    )
    .option('--dest-compress-format <format>', 'FORMAT to use for the compression (gzip, zstd)')
    .option('--dest-compress-level <level>', 'LEVEL to use for the compression (accepted, not used yet)')
    .option(
      '--dest-precompute-digests',
      'precompute digests to avoid uploading layers already on the registry (docker)',
    )
    .option(
      '--dest-force-compress-format',
      'force exclusive use of the compression algorithm set in --dest-compress-format',
    );
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function readImageFlags(
  opts: Readonly<Record<string, unknown>>,
  prefix: ImageFlagPrefix,
  env: Readonly<Record<string, string | undefined>>,
): ImageFlags {
  const get = (name: string) => opts[camel(`${prefix}${name}`)];
  // Without a prefix, commander reads `--no-creds` as the negation of `--creds`.
  const legacy = prefix === '' ? undefined : opts[prefix === 'src-' ? 'screds' : 'dcreds'];
  const creds = get('creds') ?? legacy;
  const noCreds = prefix === '' ? creds === false : get('no-creds') === true;
  const tlsVerify = get('tls-verify');
  return {
    authFile: optionalString(get('authfile')) ?? optionalString(opts.authfile) ?? env.REGISTRY_AUTH_FILE,
    creds: optionalString(creds),
    noCreds,
    username: optionalString(get('username')),
    password: optionalString(get('password')),
    registryToken: optionalString(get('registry-token')),
    certDir: optionalString(get('cert-dir')),
    tlsVerify: typeof tlsVerify === 'boolean' ? tlsVerify : undefined,
    sharedBlobDir: optionalString(get('shared-blob-dir')),
    daemonHost: optionalString(get('daemon-host')),
  };
}

export function readDestinationFlags(opts: Readonly<Record<string, unknown>>): DestinationFlags {
  return {
    compress: opts.destCompress === true,
    decompress: opts.destDecompress === true,
    ociAcceptUncompressedLayers: opts.destOciAcceptUncompressedLayers === true,
    compressFormat: optionalString(opts.destCompressFormat),
    compressLevel: optionalString(opts.destCompressLevel),
    precomputeDigests: opts.destPrecomputeDigests === true,
    forceCompressFormat: opts.destForceCompressFormat === true,
  };
}
