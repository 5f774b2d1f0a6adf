// The CLI's version, written into the bundle by tsup from package.json.
declare const __SKOPEO_TS_CLI_VERSION__: string | undefined;

export const VERSION: string =
  typeof __SKOPEO_TS_CLI_VERSION__ === 'string' ? __SKOPEO_TS_CLI_VERSION__ : '0.0.0-dev';
