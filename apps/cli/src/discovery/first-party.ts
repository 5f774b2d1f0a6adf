// The project's own transports: which package provides which transport prefix, and whether that
// package is published yet. Lets the CLI name the package to install without having seen it, look
// it up without scanning, and not send users to a package that does not exist.
//
// THE ONE PLACE TO UPDATE when a first-party transport package lands in the workspace
// (packages/transport-NAME): set its `released` to true below. test/first-party.test.ts fails
// while the list and the packages committed under packages/ disagree.

export const FIRST_PARTY_SCOPE = '@skopeo-ts/';

interface FirstPartyPackage {
  /** The transport prefixes it provides. */
  transports: readonly string[];
  /**
   * Published with this release of the CLI (a package of the workspace): a missing transport is
   * "npm install -g PACKAGE". Otherwise it is only planned, and the CLI says so.
   */
  released: boolean;
}

const FIRST_PARTY_PACKAGES: Readonly<Record<string, FirstPartyPackage>> = {
  '@skopeo-ts/transport-oci': { transports: ['oci', 'oci-archive'], released: true },
  '@skopeo-ts/transport-dir': { transports: ['dir'], released: true },
  '@skopeo-ts/transport-docker': { transports: ['docker'], released: true },
  '@skopeo-ts/transport-docker-archive': { transports: ['docker-archive'], released: true },
  '@skopeo-ts/transport-docker-daemon': { transports: ['docker-daemon'], released: true },
  '@skopeo-ts/transport-containers-storage': { transports: ['containers-storage'], released: true },
  '@skopeo-ts/transport-ostree': { transports: ['ostree'], released: false },
};

/** Transport prefix → package, derived from the table above. */
const FIRST_PARTY_TRANSPORTS: ReadonlyMap<string, string> = new Map(
  Object.entries(FIRST_PARTY_PACKAGES).flatMap(([packageName, { transports }]) =>
    transports.map((transport) => [transport, packageName] as const),
  ),
);

/** The first-party package providing `transport`, if any (released or planned). */
export function firstPartyPackageFor(transport: string): string | undefined {
  return FIRST_PARTY_TRANSPORTS.get(transport);
}

/** The transports a first-party package provides, per the map (empty for unknown packages). */
export function firstPartyTransportsOf(packageName: string): string[] {
  return Object.hasOwn(FIRST_PARTY_PACKAGES, packageName)
    ? [...(FIRST_PARTY_PACKAGES[packageName]?.transports ?? [])]
    : [];
}

/** Every first-party transport prefix, released or planned. */
export function firstPartyTransportNames(): string[] {
  return [...FIRST_PARTY_TRANSPORTS.keys()];
}

/** Whether the first-party package is published with this release (false for planned or unknown ones). */
export function isReleasedFirstPartyPackage(packageName: string): boolean {
  return (
    Object.hasOwn(FIRST_PARTY_PACKAGES, packageName) && FIRST_PARTY_PACKAGES[packageName]?.released === true
  );
}

/** The released first-party packages, in the table's order. */
export function releasedFirstPartyPackages(): string[] {
  return Object.entries(FIRST_PARTY_PACKAGES)
    .filter(([, { released }]) => released)
    .map(([name]) => name);
}

export function isFirstPartyPackage(packageName: string): boolean {
  return packageName.startsWith(`${FIRST_PARTY_SCOPE}transport-`);
}
