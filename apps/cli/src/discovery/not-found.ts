// The error for a transport prefix no installed package provides: name the package to install when
// the transport is a released first-party one, say it is not available yet when it is only planned,
// else say the prefix is unknown and list what is installed.
import { SkopeoError } from '@skopeo-ts/core';
import { firstPartyPackageFor, isReleasedFirstPartyPackage } from './first-party.js';

export function transportNotFoundError(
  name: string,
  input: string,
  installed: readonly string[],
): SkopeoError {
  const list = installed.length === 0 ? 'none' : [...installed].sort().join(', ');
  const packageName = firstPartyPackageFor(name);
  if (packageName !== undefined && isReleasedFirstPartyPackage(packageName)) {
    return new SkopeoError(
      'TRANSPORT_NOT_FOUND',
      `the "${name}" transport is provided by ${packageName}, which is not installed: npm install -g ${packageName}`,
      {
        hint: `install it where @skopeo-ts/cli is installed (or in this project), or name it with --plugin; "skopeo-ts plugins" lists the installed transports`,
      },
    );
  }
  if (packageName !== undefined) {
    return new SkopeoError(
      'TRANSPORT_NOT_FOUND',
      `the "${name}" transport is planned (package ${packageName}) but not available in this release; installed transports: ${list}`,
      {
        hint: `a newer skopeo-ts may have it ("npm view ${packageName}" tells whether it is published); meanwhile a third-party package providing "${name}" works when installed beside skopeo-ts or in this project, or named with --plugin`,
      },
    );
  }
  return new SkopeoError(
    'TRANSPORT_NOT_FOUND',
    `unknown transport "${name}" in "${input}"; installed transports: ${list}`,
    {
      hint: 'third-party transports are npm packages named skopeo-ts-transport-NAME or @scope/skopeo-ts-transport-NAME: install one beside skopeo-ts or in this project, or name it with --plugin or SKOPEO_TS_PLUGINS',
    },
  );
}
