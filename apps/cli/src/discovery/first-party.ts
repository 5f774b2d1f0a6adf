// The project's own transports: which package provides which transport prefix. Lets the CLI name
// the package to install without having seen it, and look it up without scanning.

export const FIRST_PARTY_SCOPE = '@skopeo-ts/';

const FIRST_PARTY_TRANSPORTS: Readonly<Record<string, string>> = {
  docker: '@skopeo-ts/transport-docker',
  oci: '@skopeo-ts/transport-oci',
  'oci-archive': '@skopeo-ts/transport-oci',
  dir: '@skopeo-ts/transport-dir',
  'docker-archive': '@skopeo-ts/transport-docker-archive',
  'docker-daemon': '@skopeo-ts/transport-docker-daemon',
  'containers-storage': '@skopeo-ts/transport-containers-storage',
  ostree: '@skopeo-ts/transport-ostree',
};

/** The first-party package providing `transport`, if any. */
export function firstPartyPackageFor(transport: string): string | undefined {
  return Object.hasOwn(FIRST_PARTY_TRANSPORTS, transport) ? FIRST_PARTY_TRANSPORTS[transport] : undefined;
}

/** The transports a first-party package provides, per the map (empty for unknown packages). */
export function firstPartyTransportsOf(packageName: string): string[] {
  return Object.entries(FIRST_PARTY_TRANSPORTS)
    .filter(([, pkg]) => pkg === packageName)
    .map(([transport]) => transport);
}

export function firstPartyTransportNames(): string[] {
  return Object.keys(FIRST_PARTY_TRANSPORTS);
}

export function isFirstPartyPackage(packageName: string): boolean {
  return packageName.startsWith(`${FIRST_PARTY_SCOPE}transport-`);
}
