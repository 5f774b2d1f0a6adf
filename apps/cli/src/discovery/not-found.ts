// The error for a transport prefix no installed package provides: name the package to install when
// the transport is a first-party one, else say the prefix is unknown and list what is installed.
import { SkopeoError } from '@skopeo-ts/core';
import { firstPartyPackageFor } from './first-party.js';

export function transportNotFoundError(
  name: string,
  input: string,
  installed: readonly string[],
): SkopeoError {
  const packageName = firstPartyPackageFor(name);
  if (packageName !== undefined) {
    return new SkopeoError(
      'TRANSPORT_NOT_FOUND',
      `the "${name}" transport is provided by ${packageName}, which is not installed: npm install -g ${packageName}`,
      {
        hint: `install it where @skopeo-ts/cli is installed (or in this project), or name it with --plugin; "skopeo-ts plugins" lists the installed transports`,
      },
    );
  }
  const list = installed.length === 0 ? 'none' : [...installed].sort().join(', ');
  return new SkopeoError(
    'TRANSPORT_NOT_FOUND',
    `unknown transport "${name}" in "${input}"; installed transports: ${list}`,
    {
      hint: 'third-party transports are npm packages named skopeo-ts-transport-NAME or @scope/skopeo-ts-transport-NAME: install one beside skopeo-ts or in this project, or name it with --plugin or SKOPEO_TS_PLUGINS',
    },
  );
}
